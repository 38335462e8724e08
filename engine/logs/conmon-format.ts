// Writes k8s-file logs exactly as conmon's write_k8s_log does (src/ctr_logging.c), for tests and tools
// that need a log without running a container: each read of at most 8192 bytes (STDIO_BUF_SIZE) is
// split at newlines; a trailing piece without newline becomes a P record; all records of one read share
// one timestamp and go out in one write; --log-size-max replaces the file by renaming <path>.tmp over it.
import { closeSync, fsyncSync, openSync, renameSync, writeSync, constants } from 'node:fs';
import { formatRecord, type LogStream } from './record';

export const CONMON_READ_BYTES = 8192;

export interface ConmonLogWriterOptions {
  /** Local offset written into timestamps, in minutes east of UTC (conmon writes local time). */
  offsetMinutes?: number;
  /** conmon --log-size-max: rotate (truncate by rename) before a write would exceed it. */
  logSizeMax?: number;
  /** Clock in unix ns (bigint); defaults to the real clock. */
  now?: () => bigint;
}

/** RFC3339Nano with a ±hh:mm offset, as conmon's set_k8s_timestamp formats it. */
export function conmonTimestamp(unixNs: bigint, offsetMinutes = 0): string {
  const localMs = Number(unixNs / 1_000_000n) + offsetMinutes * 60_000;
  const wholeSecondMs = Math.floor(localMs / 1000) * 1000;
  const nanos = String(unixNs % 1_000_000_000n).padStart(9, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${new Date(wholeSecondMs).toISOString().slice(0, 19)}.${nanos}${zone}`;
}

export class ConmonLogWriter {
  private fd: number;
  private written = 0;
  private readonly offsetMinutes: number;
  private readonly logSizeMax: number;
  private readonly now: () => bigint;
  rotations = 0;

  constructor(private readonly path: string, options: ConmonLogWriterOptions = {}) {
    this.offsetMinutes = options.offsetMinutes ?? 0;
    this.logSizeMax = options.logSizeMax ?? 0;
    this.now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n);
    this.fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  }

  /** Writes what the container printed on one stream, in conmon-sized reads. */
  write(stream: LogStream, data: Buffer | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let i = 0; i < bytes.length; i += CONMON_READ_BYTES) this.read(stream, bytes.subarray(i, i + CONMON_READ_BYTES));
  }

  /** One read() of conmon's: at most 8192 bytes. */
  read(stream: LogStream, buf: Buffer): void {
    const ts = conmonTimestamp(this.now(), this.offsetMinutes);
    const pending: Buffer[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      const partial = nl < 0;
      const end = partial ? buf.length : nl;
      const record = formatRecord(ts, stream, partial, buf.subarray(pos, end));
      if (this.logSizeMax > 0 && this.written + record.length > this.logSizeMax) {
        this.flush(pending);
        this.reopen();
      }
      pending.push(record);
      this.written += record.length;
      pos = partial ? end : end + 1;
    }
    this.flush(pending);
  }

  private flush(pending: Buffer[]): void {
    if (pending.length === 0) return;
    const all = Buffer.concat(pending);
    pending.length = 0;
    let off = 0;
    while (off < all.length) off += writeSync(this.fd, all, off);
  }

  /** reopen_k8s_file: fsync, open <path>.tmp with O_TRUNC, rename it over the log. Old content is gone. */
  private reopen(): void {
    fsyncSync(this.fd);
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = fd;
    this.written = 0;
    this.rotations++;
  }

  close(): void {
    closeSync(this.fd);
  }
}
