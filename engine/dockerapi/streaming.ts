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

/**
 * Sends base64 tar chunks (images.save, containers.archiveGet) as a 200 `application/x-tar` body with `headers`.
 * The first chunk is awaited before the headers, so an error there (no such image or path) is still an HTTP
 * status; a later error cuts the connection so the client sees a truncated tar, not a short valid one.
 */
export async function sendTarChunks(res: ServerResponse, items: AsyncIterable<{ data: string }>, headers: Record<string, string> = {}) {
  const it = items[Symbol.asyncIterator]();
  let next = await it.next();
  res.writeHead(200, { ...headers, 'Content-Type': 'application/x-tar' });
  try {
    while (!next.done) {
      if (!(await writeChunk(res, Buffer.from(next.value.data, 'base64')))) return;
      next = await it.next();
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    await it.return?.();
  }
}

/** Bytes per upload call while a request body streams in: bounded memory, few round trips. */
export const UPLOAD_CHUNK = 1024 * 1024;

/** Reads a request body and hands it to `send` as base64 in slices of about UPLOAD_CHUNK bytes (nothing for an empty body). */
export async function uploadBody(body: AsyncIterable<unknown>, send: (data: string) => Promise<unknown>) {
  let parts: Buffer[] = [];
  let n = 0;
  const flush = async () => {
    if (!n) return;
    const data = Buffer.concat(parts, n).toString('base64');
    parts = [];
    n = 0;
    await send(data);
  };
  for await (const chunk of body) {
    parts.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= UPLOAD_CHUNK) await flush();
  }
  await flush();
}
