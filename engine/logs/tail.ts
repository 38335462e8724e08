// `tail N` without reading the whole file: walk records backwards from the end in blocks, looking only
// at their headers, until the last N complete lines (and the pieces that begin them) are covered.
import type { FileHandle } from 'node:fs/promises';
import { parseRecordHeader, type LogStream } from './record';

export interface ReadStats {
  /** Bytes read from log files so far (backwards scan plus forward reading). */
  bytesRead: number;
}

export interface TailPlan {
  /** Where forward reading starts: the start of a record. */
  start: number;
  /** Records of a stream that begin before its threshold are not part of the tail and are skipped. */
  thresholds: Record<LogStream, number>;
}

const BLOCK = 64 * 1024;
const HEADER_BYTES = 96;
/**
 * After N complete lines are counted, keep scanning at most this far back for the earlier pieces of
 * lines already in the window. conmon writes a line's pieces close together, so this only gives up
 * when another stream wrote megabytes in the middle of one line (that line then loses its start).
 */
const EXTRA_SCAN_BYTES = 4 * 1024 * 1024;

interface RecordStart {
  offset: number;
  header: Buffer;
}

/** Record starts from the last complete record to the first; `end` is just past a '\n'. */
async function* recordsBackward(fh: FileHandle, end: number, stats: ReadStats): AsyncGenerator<RecordStart> {
  if (end <= 0) return;
  let recordNewline = end - 1; // the '\n' that ends the current record
  let buf = Buffer.alloc(0);
  let bufStart = end; // buf holds file bytes [bufStart, bufStart + buf.length)
  const headerOf = (start: number): Buffer => buf.subarray(start - bufStart, Math.min(recordNewline, start + HEADER_BYTES) - bufStart);
  while (true) {
    const limit = recordNewline - 1 - bufStart; // search strictly before the current record's newline
    const found = limit >= 0 ? buf.lastIndexOf(0x0a, limit) : -1;
    if (found >= 0) {
      const start = bufStart + found + 1;
      yield { offset: start, header: headerOf(start) };
      recordNewline = bufStart + found;
      continue;
    }
    if (bufStart === 0) {
      yield { offset: 0, header: headerOf(0) };
      return;
    }
    // Read the previous block, overlapping the old one by a header's length so a header that starts
    // just before the old block is whole.
    const newStart = Math.max(0, bufStart - BLOCK);
    const length = Math.min(end, bufStart + HEADER_BYTES) - newStart;
    const next = Buffer.allocUnsafe(length);
    const { bytesRead } = await fh.read(next, 0, length, newStart);
    stats.bytesRead += bytesRead;
    buf = next.subarray(0, bytesRead);
    bufStart = newStart;
  }
}

/** Offset just past the last '\n' at or before `size`, reading backwards in blocks. */
async function lastNewlineEnd(fh: FileHandle, size: number, stats: ReadStats): Promise<number> {
  let pos = size;
  while (pos > 0) {
    const start = Math.max(0, pos - BLOCK);
    const block = Buffer.allocUnsafe(pos - start);
    const { bytesRead } = await fh.read(block, 0, pos - start, start);
    stats.bytesRead += bytesRead;
    const i = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    pos = start;
  }
  return 0;
}

/**
 * Plans reading the last `n` complete lines (lines ended by an F record) of a file of `size` bytes.
 * A stream's unfinished line at the end (trailing P pieces) is included too, so a follower sees it
 * whole once its F arrives.
 */
export async function planTail(fh: FileHandle, size: number, n: number, stats: ReadStats): Promise<TailPlan> {
  const end = await lastNewlineEnd(fh, size, stats);
  const thresholds: Record<LogStream, number> = { stdout: end, stderr: end };
  type State = 'unseen' | 'open' | 'closed';
  const state: Record<LogStream, State> = { stdout: 'unseen', stderr: 'unseen' };
  let counted = 0;
  let countedAt = n <= 0 ? end : -1; // offset where the count was reached
  for await (const rec of recordsBackward(fh, end, stats)) {
    const h = parseRecordHeader(rec.header, 0, rec.header.length);
    if (!h) continue;
    const s = h.stream;
    if (countedAt < 0) {
      state[s] = 'open';
      thresholds[s] = rec.offset;
      if (!h.partial && ++counted === n) countedAt = rec.offset;
      continue;
    }
    if (countedAt - rec.offset > EXTRA_SCAN_BYTES) break;
    if (state[s] !== 'closed') {
      // An F here ends an earlier line of this stream: everything of it from here back is outside.
      if (h.partial) {
        state[s] = 'open';
        thresholds[s] = rec.offset;
      } else state[s] = 'closed';
    }
    if (state.stdout === 'closed' && state.stderr === 'closed') break;
  }
  return { start: Math.min(thresholds.stdout, thresholds.stderr), thresholds };
}
