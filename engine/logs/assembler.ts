// Joins conmon's P pieces into whole lines, separately per stream (stdout and stderr are separate
// pipes, so their pieces interleave in the file).
import type { LogStream } from './record';

export interface LogEntry {
  /** Unix milliseconds (floored) of the line's first piece. */
  time: number;
  /** RFC3339 UTC with exactly 9 fractional digits and 'Z'. */
  timeNano: string;
  stream: LogStream;
  /** The content decoded as UTF-8 (invalid bytes become U+FFFD), without the trailing newline. */
  line: string;
  /** The exact content bytes, without the trailing newline; use these to pass output on byte for byte. */
  data: Buffer;
  /**
   * True when the content is not followed by a newline in the container's output: the last piece of a
   * stream at the end of a finished log, or a piece of a line longer than MAX_LINE_BYTES.
   */
  partial?: boolean;
}

/**
 * A line longer than this is emitted in pieces of at most this many bytes (cut at a UTF-8 character
 * boundary), each but the last marked partial, so one endless line cannot grow memory without bound.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

interface Pending {
  chunks: Buffer[];
  length: number;
  time: number;
  timeNano: string;
  /** File order of the first piece, so flushed partials come out in the order they began. */
  order: number;
}

function entry(stream: LogStream, time: number, timeNano: string, data: Buffer, partial: boolean): LogEntry {
  const e: LogEntry = { time, timeNano, stream, line: data.toString('utf8'), data };
  if (partial) e.partial = true;
  return e;
}

/** Index at or just before `at` that does not split a UTF-8 sequence (gives up after 3 bytes on invalid input). */
function utf8Cut(buf: Buffer, at: number): number {
  let cut = at;
  while (cut > at - 3 && cut > 0 && (buf[cut]! & 0xc0) === 0x80) cut--;
  return cut > 0 ? cut : at;
}

export class LineAssembler {
  private readonly pending: Record<LogStream, Pending | null> = { stdout: null, stderr: null };

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** Adds one piece; complete lines (and over-long slices) are appended to `out`. */
  push(stream: LogStream, partial: boolean, time: number, timeNano: string, content: Buffer, order: number, out: LogEntry[]): void {
    const p = this.pending[stream];
    if (!p && !partial && content.length <= this.maxLine) {
      out.push(entry(stream, time, timeNano, Buffer.from(content), false));
      return;
    }
    const cur: Pending = p ?? { chunks: [], length: 0, time, timeNano, order };
    // Copy: the piece is a view of a read buffer that would otherwise stay alive with it.
    if (content.length > 0) {
      cur.chunks.push(Buffer.from(content));
      cur.length += content.length;
    }
    if (cur.length > this.maxLine) {
      let all = Buffer.concat(cur.chunks, cur.length);
      while (all.length > this.maxLine) {
        const cut = utf8Cut(all, this.maxLine);
        out.push(entry(stream, cur.time, cur.timeNano, all.subarray(0, cut), true));
        all = all.subarray(cut);
      }
      // The rest belongs to the piece being added now.
      cur.chunks = all.length > 0 ? [Buffer.from(all)] : [];
      cur.length = all.length;
      cur.time = time;
      cur.timeNano = timeNano;
    }
    if (partial) {
      this.pending[stream] = cur;
      return;
    }
    this.pending[stream] = null;
    out.push(entry(stream, cur.time, cur.timeNano, Buffer.concat(cur.chunks, cur.length), false));
  }

  hasPending(): boolean {
    return this.pending.stdout !== null || this.pending.stderr !== null;
  }

  /** Emits unfinished lines as partial entries (the log has ended without their newline). */
  flush(out: LogEntry[]): void {
    const rest = (['stdout', 'stderr'] as const)
      .map((stream) => ({ stream, p: this.pending[stream] }))
      .filter((x): x is { stream: LogStream; p: Pending } => x.p !== null)
      .sort((a, b) => a.p.order - b.p.order);
    for (const { stream, p } of rest) {
      this.pending[stream] = null;
      if (p.length > 0) out.push(entry(stream, p.time, p.timeNano, Buffer.concat(p.chunks, p.length), true));
    }
  }
}
