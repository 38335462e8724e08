// Length-prefixed JSON frames over a byte stream (the engine socket): 4-byte big-endian length, then UTF-8
// JSON. A frame that is not JSON gets an error reply and the connection lives on; a length over the limit
// cannot be skipped safely, so that connection is answered and closed. Neither ever crashes the engine.
import type { Socket } from 'node:net';
import type { Port } from '../api/protocol';
import { MAX_FRAME_BYTES } from '../api/schema-free';
import { EngineError } from '../api/errors';

export function encodeFrame(message: unknown): Buffer {
  return encodeFrames([JSON.stringify(message)]);
}

/** Frames JSON texts into one buffer, each written straight into place (no per-frame buffer or copy). */
function encodeFrames(texts: string[]): Buffer {
  const lengths = texts.map((t) => Buffer.byteLength(t, 'utf8'));
  let bytes = 0;
  for (const n of lengths) bytes += n;
  const out = Buffer.allocUnsafe(4 * texts.length + bytes);
  let offset = 0;
  for (let i = 0; i < texts.length; i++) {
    out.writeUInt32BE(lengths[i]!, offset);
    offset += 4;
    offset += out.write(texts[i]!, offset, 'utf8');
  }
  return out;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Feeds bytes; returns complete frames as parsed JSON or as an Error for a frame that was not JSON. */
  push(chunk: Buffer): (unknown | Error)[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const out: (unknown | Error)[] = [];
    let buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const size = buffer.readUInt32BE(offset);
      if (size > this.maxBytes) throw new EngineError('invalid', `frame of ${size} bytes exceeds the limit of ${this.maxBytes}`);
      if (buffer.length - offset - 4 < size) break;
      const body = buffer.subarray(offset + 4, offset + 4 + size);
      offset += 4 + size;
      try {
        out.push(JSON.parse(body.toString('utf8')));
      } catch (err) {
        out.push(new Error(`frame is not JSON: ${(err as Error).message}`));
      }
    }
    buffer = buffer.subarray(offset);
    this.chunks = buffer.length ? [Buffer.from(buffer)] : [];
    this.length = buffer.length;
    return out;
  }
}

/**
 * Adapts a socket to a message port. Writes honour backpressure: the port reports `writable` false while the
 * kernel buffer is full, and `whenWritable()` resolves on drain, so streams pause instead of queueing.
 */
/** Outgoing frames are gathered up to this size before a write. */
const FLUSH_BYTES = 64 * 1024;

export class SocketPort<Out, In> implements Port<Out, In> {
  private readonly listeners: ((message: In) => void)[] = [];
  private readonly closeListeners: ((reason?: Error) => void)[] = [];
  private readonly decoder = new FrameDecoder();
  private closed = false;
  /** JSON texts of frames not yet written; framed into one buffer at flush. */
  private pending: string[] = [];
  /** Their UTF-16 length, a cheap stand-in for bytes to decide when to flush. */
  private pendingChars = 0;

  constructor(
    private readonly socket: Socket,
    private readonly onBadFrame: (error: Error, fatal: boolean) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let frames: (unknown | Error)[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.onBadFrame(err as Error, true);
        this.flush();
        this.socket.end();
        return;
      }
      for (const frame of frames) {
        if (frame instanceof Error) this.onBadFrame(frame, false);
        else for (const l of this.listeners) l(frame as In);
      }
    });
    const finish = (err?: Error) => {
      if (this.closed) return;
      this.closed = true;
      for (const l of this.closeListeners) l(err);
    };
    socket.on('close', () => finish());
    socket.on('error', (err) => finish(err));
  }

  send(message: Out) {
    if (this.closed || this.socket.destroyed) return;
    // Frames sent in one turn of the event loop (a stream's ready items) leave as one buffer in one write, not
    // a syscall (or an iovec) each: a followed log is hundreds of thousands of small frames.
    const text = JSON.stringify(message);
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_BYTES) this.flush();
    else if (this.pending.length === 1) process.nextTick(() => this.flush());
  }

  private flush() {
    if (!this.pending.length) return;
    const data = encodeFrames(this.pending);
    this.pending = [];
    this.pendingChars = 0;
    if (!this.closed && !this.socket.destroyed) this.socket.write(data);
  }

  get writable() {
    return !this.closed && !this.socket.writableNeedDrain;
  }

  whenWritable(): Promise<void> {
    if (this.writable || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  onMessage(listener: (message: In) => void) {
    this.listeners.push(listener);
  }

  onClose(listener: (reason?: Error) => void) {
    this.closeListeners.push(listener);
  }

  close() {
    this.flush();
    this.socket.end();
  }
}
