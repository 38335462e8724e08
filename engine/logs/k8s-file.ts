// Reads a container's k8s-file log (written by conmon) as whole lines: tail, since/until, and follow
// across conmon's truncation-by-rename. Reading is pull-driven: nothing is read ahead of the consumer
// beyond one 64 KiB block, so following a 100 MB log keeps memory flat.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { LineAssembler, MAX_LINE_BYTES, type LogEntry } from './assembler';
import { parseRecordHeader, type LogStream } from './record';
import { planTail, type ReadStats } from './tail';

export type { LogEntry } from './assembler';
export type { ReadStats } from './tail';

export interface ReadLogsOptions {
  /** Only the last N complete lines (plus a line still being written at the end). */
  tail?: number;
  /** Unix ms, inclusive: lines whose first piece is earlier are skipped. */
  since?: number;
  /** Unix ms, exclusive: lines at or after it are skipped; a follow ends once the clock passes it. */
  until?: number;
  /** Keep reading as the file grows (and across rotation) until isRunning() is false or signal aborts. */
  follow?: boolean;
  /** Ends the iteration promptly (no error) and closes the file and watcher, even while the consumer is not pulling. */
  signal?: AbortSignal;
  /** Follow ends when this returns false and the file has been read to its end. Without it, only signal ends a follow. */
  isRunning?: () => boolean;
  /** Fallback poll interval for follow, in ms (fs.watch usually wakes the reader sooner). Default 250. */
  pollMs?: number;
  /** Set false to rely on polling only. Default true. */
  watch?: boolean;
  /** Counters for tests and diagnostics. */
  stats?: ReadStats;
}

const CHUNK = 64 * 1024;
/** A record longer than this without a newline is not conmon's; its content is passed on in slices. */
const MAX_RECORD = MAX_LINE_BYTES + 256;

/** Inside an over-long record: the rest of its bytes up to '\n' are content (or junk to skip). */
interface Continuation {
  stream: LogStream | null; // null: an unparseable record, skip to its end
  partial: boolean;
  ms: number;
  nano: string;
  order: number;
}

const NO_THRESHOLDS: Record<LogStream, number> = { stdout: 0, stderr: 0 };

/** Parses a byte stream of records into entries; knows nothing about files. */
class RecordParser {
  private carry: Buffer = Buffer.alloc(0);
  private carryOffset = 0;
  private cont: Continuation | null = null;
  thresholds: Record<LogStream, number> = NO_THRESHOLDS;

  constructor(private readonly lines: LineAssembler) {}

  /** Forget a half-read record (the file it came from was replaced or truncated). */
  resetPosition(offset: number): void {
    this.carry = Buffer.alloc(0);
    this.carryOffset = offset;
    this.cont = null;
    this.thresholds = NO_THRESHOLDS;
  }

  /** `chunk` holds the file bytes that follow everything fed so far. */
  feed(chunk: Buffer, out: LogEntry[]): void {
    let buf = chunk;
    const base = this.carryOffset;
    if (this.carry.length > 0) {
      buf = Buffer.concat([this.carry, chunk]);
    }
    let pos = 0;
    if (this.cont) {
      const nl = buf.indexOf(0x0a);
      const stop = nl < 0 ? buf.length : nl;
      const c = this.cont;
      if (c.stream && this.wanted(c.stream, c.order) && (stop > 0 || (nl >= 0 && !c.partial))) {
        this.lines.push(c.stream, nl < 0 || c.partial, c.ms, c.nano, buf.subarray(0, stop), c.order, out);
      }
      if (nl < 0) {
        this.carry = Buffer.alloc(0);
        this.carryOffset = base + buf.length;
        return;
      }
      this.cont = null;
      pos = nl + 1;
    }
    while (true) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) break;
      this.record(buf, pos, nl, base + pos, out);
      pos = nl + 1;
    }
    this.carry = buf.subarray(pos);
    this.carryOffset = base + pos;
    if (this.carry.length > MAX_RECORD) this.startContinuation(out);
  }

  private wanted(stream: LogStream, offset: number): boolean {
    return offset >= this.thresholds[stream];
  }

  private record(buf: Buffer, start: number, end: number, offset: number, out: LogEntry[]): void {
    const h = parseRecordHeader(buf, start, end);
    if (!h || !this.wanted(h.stream, offset)) return;
    this.lines.push(h.stream, h.partial, h.ms, h.nano, buf.subarray(h.contentStart, end), offset, out);
  }

  private startContinuation(out: LogEntry[]): void {
    const buf = this.carry;
    const h = parseRecordHeader(buf, 0, buf.length);
    const order = this.carryOffset;
    if (h && this.wanted(h.stream, order)) {
      this.lines.push(h.stream, true, h.ms, h.nano, buf.subarray(h.contentStart), order, out);
      this.cont = { stream: h.stream, partial: h.partial, ms: h.ms, nano: h.nano, order };
    } else {
      this.cont = { stream: null, partial: true, ms: 0, nano: '', order };
    }
    this.carryOffset += buf.length;
    this.carry = Buffer.alloc(0);
  }
}

/** Wakes a waiting follower on fs events for the log (or its .tmp), on a timer, or on abort. */
class Waker {
  private watcher: FSWatcher | null = null;
  private dirty = false;
  private wake: (() => void) | null = null;

  constructor(path: string, private readonly pollMs: number, useWatch: boolean) {
    if (!useWatch) return;
    const name = basename(path);
    try {
      // Watch the directory: conmon replaces the file by rename, which a watch on the file would miss.
      this.watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name || filename === `${name}.tmp`) this.poke();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      this.watcher = null; // polling still works
    }
  }

  poke(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async wait(signal?: AbortSignal): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      signal?.addEventListener('abort', done);
      this.wake = done;
    });
    this.dirty = false;
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  close(): void {
    this.closeWatcher();
    this.poke();
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/**
 * Reads the k8s-file log at `path` as whole lines (P pieces joined per stream).
 * The iteration ends quietly on abort; I/O errors other than a missing file are thrown.
 */
export async function* readLogs(path: string, options: ReadLogsOptions = {}): AsyncGenerator<LogEntry> {
  const { tail, since, until, follow = false, signal, isRunning, pollMs = 250 } = options;
  const stats = options.stats ?? { bytesRead: 0 };
  if (signal?.aborted) return;

  let fh: FileHandle | null = null;
  let waker: Waker | null = null;
  let closed = false;
  let closing: Promise<void> = Promise.resolve();
  const release = (): void => {
    if (closed) return;
    closed = true;
    waker?.close();
    waker = null;
    const f = fh;
    fh = null;
    if (f) closing = f.close().catch(() => undefined);
  };
  // Abort releases the fd and watcher at once, even if the consumer is not pulling right now.
  signal?.addEventListener('abort', release, { once: true });

  const lines = new LineAssembler();
  const parser = new RecordParser(lines);
  const out: LogEntry[] = [];
  let position = 0;
  let ino = -1;
  let replaced = false; // the path now names a new file; finish the old one first

  const keep = (e: LogEntry): boolean => (since === undefined || e.time >= since) && (until === undefined || e.time < until);

  const openAt = async (first: boolean): Promise<boolean> => {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    if (closed) {
      await handle.close();
      return false;
    }
    fh = handle;
    const st = await handle.stat();
    ino = st.ino;
    position = 0;
    parser.resetPosition(0);
    if (first && tail !== undefined) {
      const plan = await planTail(handle, st.size, Math.max(0, Math.floor(tail)), stats);
      position = plan.start;
      parser.resetPosition(plan.start);
      parser.thresholds = plan.thresholds;
    }
    return true;
  };

  /** Reads one block; returns the bytes read (0 at the end of the current file). */
  const readBlock = async (): Promise<number> => {
    const handle = fh;
    if (!handle) return 0;
    const chunk = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
    if (bytesRead === 0) return 0;
    stats.bytesRead += bytesRead;
    position += bytesRead;
    parser.feed(chunk.subarray(0, bytesRead), out);
    return bytesRead;
  };

  /** After reaching the end of the open file: has the log been replaced or truncated? */
  const checkReplaced = async (): Promise<'same' | 'replaced' | 'truncated' | 'missing'> => {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if (isMissing(err)) return 'missing';
      throw err;
    }
    if (st.ino !== ino) return 'replaced';
    if (st.size < position) return 'truncated';
    return 'same';
  };

  try {
    let opened = await openAt(true);
    if (!opened && !follow) return;
    if (follow) waker = new Waker(path, pollMs, options.watch ?? true);
    let alive = isRunning ? isRunning() : true;
    while (!closed) {
      const n = opened ? await readBlock() : 0;
      for (const e of out) {
        if (closed) return;
        if (keep(e)) yield e;
      }
      out.length = 0;
      if (closed) return;
      if (n > 0) continue;

      // At the end of the open file.
      if (replaced) {
        // The old file is finished (conmon never writes to it after the rename): move to the new one.
        replaced = false;
        const old = fh as FileHandle | null;
        fh = null;
        await old?.close();
        opened = await openAt(false);
        continue;
      }
      if (!follow) break;
      if (!opened) {
        // The log does not exist yet (or vanished before we opened it): keep trying while following.
        opened = await openAt(false);
        if (opened) continue;
      } else {
        const change = await checkReplaced();
        if (change === 'replaced') {
          // Drain the old file once more: conmon may have written to it between our last read and the rename.
          replaced = true;
          continue;
        }
        if (change === 'truncated') {
          position = 0;
          parser.resetPosition(0);
          continue;
        }
        // 'missing': the path was unlinked; keep the old file and notice a new one by its inode.
      }
      // Everything written so far has been read. Stop if the container had already exited before this
      // drain (conmon flushes the log before writing the exit file), or `until` has passed.
      if (!alive) break;
      if (until !== undefined && Date.now() >= until) break;
      if (closed || !waker) return;
      await waker.wait(signal);
      alive = isRunning ? isRunning() : true;
    }
    if (closed) return;
    lines.flush(out);
    for (const e of out) if (keep(e)) yield e;
    out.length = 0;
  } catch (err) {
    if (closed || signal?.aborted) return; // a read raced with abort closing the file
    throw err;
  } finally {
    signal?.removeEventListener('abort', release);
    release();
    await closing; // once the iteration has ended, the fd is closed
  }
}
