// Hijacked connections for attach and exec start (notes §2.5). Node hands requests with `Connection: Upgrade`
// to the server's 'upgrade' event: the JSON body is at the start of `head`, anything after it is stdin. We
// answer `101 UPGRADED` by hand in a write of its own (docker-py reads the raw socket after parsing headers),
// treat the client's FIN as EOF on stdin without ending our side (half-close), and close only when the
// output has ended.
import type { Duplex } from 'node:stream';
import { API_VERSION, commonHeaders, compareVersions, statusForError, HttpError, MAX_JSON_BODY } from './http';

export const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';
export const RAW_STREAM = 'application/vnd.docker.raw-stream';

/** Multiplexed for non-TTY streams at API ≥ 1.42, raw otherwise (moby `container_routes.go`). */
export function streamContentType(tty: boolean, version: string = API_VERSION): string {
  return !tty && compareVersions(version, '1.42') >= 0 ? MULTIPLEXED : RAW_STREAM;
}

/**
 * Reads exactly Content-Length body bytes from `head` and the socket, then puts anything after them back
 * on the socket so it is read as stdin.
 */
export function readUpgradeBody(socket: Duplex, head: Buffer, contentLength: number, limit = MAX_JSON_BODY): Promise<Buffer> {
  if (contentLength > limit) return Promise.reject(new HttpError(413, `request body of ${contentLength} bytes exceeds the limit of ${limit} bytes`));
  if (head.length >= contentLength) {
    const rest = head.subarray(contentLength);
    if (rest.length) socket.unshift(rest);
    return Promise.resolve(head.subarray(0, contentLength));
  }
  return new Promise((resolve, reject) => {
    const chunks = [head];
    let size = head.length;
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size < contentLength) return;
      cleanup();
      socket.pause();
      const all = Buffer.concat(chunks, size);
      const rest = all.subarray(contentLength);
      if (rest.length) socket.unshift(rest);
      resolve(all.subarray(0, contentLength));
    };
    const onEnd = () => {
      cleanup();
      reject(new HttpError(400, `request body ended after ${size} of ${contentLength} bytes`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}

/** Writes the 101 response on its own, before any stream bytes. */
export function writeUpgraded(socket: Duplex, contentType: string) {
  const lines = ['HTTP/1.1 101 UPGRADED', `Content-Type: ${contentType}`, 'Connection: Upgrade', 'Upgrade: tcp'];
  for (const [k, v] of Object.entries(commonHeaders())) lines.push(`${k}: ${v}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
}

const reasons: Record<number, string> = {
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** Answers an upgrade request that failed before the 101 with an ordinary HTTP error, then closes. */
export function writeUpgradeError(socket: Duplex, err: unknown) {
  if (!socket.writable) return;
  const { status, message } = statusForError(err);
  const body = status === 304 ? '' : JSON.stringify({ message });
  const lines = [`HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}`, 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`];
  if (body) lines.push('Content-Type: application/json');
  for (const [k, v] of Object.entries(commonHeaders())) lines.push(`${k}: ${v}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** The hijacked connection as the stream handlers use it. */
export class HijackedStream {
  private ended = false;

  constructor(private readonly socket: Duplex) {
    // A reset by the client must not crash the engine; 'close' tells the handler it is gone.
    socket.on('error', () => undefined);
  }

  get open(): boolean {
    return !this.ended && this.socket.writable;
  }

  /** Writes and waits while the socket is full; a gone client turns writes into no-ops. */
  async write(chunk: Buffer | string): Promise<void> {
    if (!this.open) return;
    if (this.socket.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Client bytes after the request body, until the client half-closes (its FIN = EOF on stdin). */
  async *stdin(): AsyncGenerator<Buffer> {
    const socket = this.socket;
    const queue: Buffer[] = [];
    let done = false;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const onData = (chunk: Buffer) => {
      queue.push(chunk);
      socket.pause();
      notify();
    };
    const onEnd = () => {
      done = true;
      notify();
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.resume();
    try {
      while (true) {
        if (queue.length) {
          yield queue.shift()!;
          if (!queue.length && !done) socket.resume();
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    }
  }

  /** Ends our side once the output is over; the client's side may already be closed. */
  end() {
    if (this.ended) return;
    this.ended = true;
    if (this.socket.writable) this.socket.end();
    else this.socket.destroy();
  }
}
