// Docker's multiplexed stream framing (used when the container has no TTY) and docker's log line
// format: an 8-byte header [stream, 0, 0, 0, size uint32 BE] then the payload (moby pkg/stdcopy).
import type { LogEntry } from './assembler';

export const StreamType = { stdin: 0, stdout: 1, stderr: 2, systemError: 3 } as const;
export type StreamType = (typeof StreamType)[keyof typeof StreamType];

export interface Frame {
  stream: number;
  payload: Buffer;
}

export const FRAME_HEADER_BYTES = 8;
const MAX_PAYLOAD = 0xffffffff;

export function encodeFrame(stream: StreamType, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length > MAX_PAYLOAD) throw new RangeError(`Frame payload of ${body.length} bytes exceeds the 4 GiB frame limit`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(0, 0);
  frame[0] = stream;
  frame.writeUInt32BE(body.length, 4);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** Incremental decoder: feed it socket chunks of any size, get whole frames back. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    let pos = 0;
    while (this.buf.length - pos >= FRAME_HEADER_BYTES) {
      const stream = this.buf[pos]!;
      if (this.buf[pos + 1] !== 0 || this.buf[pos + 2] !== 0 || this.buf[pos + 3] !== 0 || stream > 3) {
        throw new Error(`Not a multiplexed docker stream: bad frame header at byte ${pos}`);
      }
      const size = this.buf.readUInt32BE(pos + 4);
      if (this.buf.length - pos - FRAME_HEADER_BYTES < size) break;
      const start = pos + FRAME_HEADER_BYTES;
      frames.push({ stream, payload: Buffer.from(this.buf.subarray(start, start + size)) });
      pos = start + size;
    }
    this.buf = this.buf.subarray(pos);
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for more input. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  /** Call at end of input: throws if the stream stopped in the middle of a frame. */
  end(): void {
    if (this.buf.length > 0) throw new Error(`Docker stream ended inside a frame (${this.buf.length} bytes left over)`);
  }
}

export function decodeFrames(data: Buffer): Frame[] {
  const d = new FrameDecoder();
  const frames = d.push(data);
  d.end();
  return frames;
}

/**
 * Docker's `timestamps=1` prefix: RFC3339 in UTC with exactly 9 fractional digits and a space
 * (`2006-01-02T15:04:05.000000000Z `). Accepts unix ms or an entry's timeNano.
 */
export function dockerTimestamp(time: number | string): string {
  if (typeof time === 'string') return time;
  const ms = Math.floor(time);
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  const nanos = String((ms - wholeSecond) * 1_000_000).padStart(9, '0');
  return `${new Date(wholeSecond).toISOString().slice(0, 19)}.${nanos}Z`;
}

/** One log entry as docker writes it: optional timestamp prefix, the exact bytes, '\n' unless partial. */
export function formatLogLine(entry: LogEntry, timestamps = false): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${entry.timeNano} `, 'latin1'));
  parts.push(entry.data);
  if (!entry.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** One log entry as a multiplexed frame (stdout → 1, stderr → 2). */
export function frameLogEntry(entry: LogEntry, timestamps = false): Buffer {
  return encodeFrame(entry.stream === 'stderr' ? StreamType.stderr : StreamType.stdout, formatLogLine(entry, timestamps));
}

/**
 * Parses docker's `since`/`until` query value (`secs[.nanos]`, as the CLI and docker-py send it) to
 * unix ms; undefined for an empty value or "0" (docker's "not set").
 */
export function parseDockerTime(value: string | undefined | null): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value.trim());
  if (!m) throw new RangeError(`Invalid time "${value}": expected unix seconds with optional .nanoseconds`);
  const secs = Number(m[1]);
  const nanos = Number((m[2] ?? '').padEnd(9, '0'));
  if (secs === 0 && nanos === 0) return undefined;
  return secs * 1000 + Math.floor(nanos / 1e6);
}
