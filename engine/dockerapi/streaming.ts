// Streaming responses (notes §2.3): 200 with headers flushed at once, chunked (no Content-Length), one write
// per item, waiting on the socket when it is full, and stopping as soon as the client goes away.
import type { ServerResponse } from 'node:http';
import type { RequestContext } from './router';

/** Waits until `res` can take more, or the client is gone. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Starts a chunked 200 and sends the headers now, before the first item exists. */
export function startStream(res: ServerResponse, contentType: string) {
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
}

/** Writes one chunk, honouring backpressure; false once the client is gone. */
export async function writeChunk(res: ServerResponse, chunk: string | Buffer): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (!res.write(chunk)) await drained(res);
  return !res.destroyed;
}

/**
 * Streams `items` as lines (`toLine` returns null to skip one). Ends the response when the items end; on an
 * error after the headers went out, the connection is cut so the client sees a truncated stream.
 */
export async function streamLines<T>(
  ctx: Pick<RequestContext, 'res' | 'signal'>,
  items: AsyncIterable<T>,
  toLine: (item: T) => string | null,
  contentType = 'application/json',
) {
  const { res, signal } = ctx;
  startStream(res, contentType);
  const iterator = items[Symbol.asyncIterator]();
  try {
    while (!signal.aborted) {
      const next = await iterator.next();
      if (next.done) break;
      const line = toLine(next.value);
      if (line !== null && !(await writeChunk(res, line))) break;
    }
    if (!signal.aborted) res.end();
  } finally {
    await iterator.return?.();
  }
}
