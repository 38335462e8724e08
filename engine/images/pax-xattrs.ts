// Extended attributes from PAX headers as the raw bytes the tar holds. tar-stream decodes PAX values as UTF-8,
// which mangles binary attributes such as `security.capability` (a ping binary would lose cap_net_raw). This
// pass-through stream walks the same tar headers and keeps each entry's `SCHILY.xattr.*` values as bytes,
// indexed like the entries tar-stream emits (PAX, global and GNU long-name headers are not entries).
import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;
const XATTR = 'SCHILY.xattr.';
/** Header types that describe the next entry instead of being one. */
const META_TYPES = new Set(['x', 'g', 'L', 'K']);
/** A PAX header beyond this is not kept (tar-stream refuses far smaller ones anyway). */
const MAX_PAX_BYTES = 16 << 20;

export type RawXattrs = Map<string, Buffer>;

function headerSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if (field[0]! & 0x80) {
    // base-256 (GNU): big-endian, the top bit of the first byte marks it
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text ? parseInt(text, 8) : 0;
}

/** "LEN key=value\n" records; values stay bytes. */
export function parsePaxRecords(data: Buffer): RawXattrs {
  const out: RawXattrs = new Map();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(data.subarray(pos, space).toString('latin1'));
    if (!Number.isInteger(len) || len <= space - pos || pos + len > data.length) break;
    const record = data.subarray(space + 1, pos + len - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    if (eq > 0) {
      const key = record.subarray(0, eq).toString('utf8');
      if (key.startsWith(XATTR)) out.set(key.slice(XATTR.length), Buffer.from(record.subarray(eq + 1)));
    }
    pos += len;
  }
  return out;
}

export class PaxXattrSniffer extends Transform {
  private readonly byEntry = new Map<number, RawXattrs>();
  private entryIndex = 0;
  private header: Buffer[] = [];
  private headerBytes = 0;
  /** Bytes of entry data (plus padding) still to pass before the next header. */
  private skip = 0;
  /** When capturing a PAX header's data: what is left of it, and the pieces so far. */
  private capture: { left: number; parts: Buffer[] } | null = null;
  private pending: RawXattrs | null = null;
  private ended = false;

  /** The raw xattrs of the n-th entry (0-based, in tar-stream's order), once; undefined when it has none. */
  xattrsOf(n: number): RawXattrs | undefined {
    const found = this.byEntry.get(n);
    this.byEntry.delete(n);
    return found;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    if (!this.ended) this.scan(chunk);
    done(null, chunk);
  }

  private scan(chunk: Buffer) {
    let pos = 0;
    while (pos < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - pos);
        if (this.capture && this.capture.left > 0) {
          const take = Math.min(n, this.capture.left);
          this.capture.parts.push(chunk.subarray(pos, pos + take));
          this.capture.left -= take;
          if (this.capture.left === 0) {
            this.pending = parsePaxRecords(Buffer.concat(this.capture.parts));
            this.capture = null;
          }
        }
        this.skip -= n;
        pos += n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerBytes, chunk.length - pos);
      this.header.push(chunk.subarray(pos, pos + n));
      this.headerBytes += n;
      pos += n;
      if (this.headerBytes === BLOCK) this.onHeader(Buffer.concat(this.header, BLOCK));
    }
  }

  private onHeader(header: Buffer) {
    this.header = [];
    this.headerBytes = 0;
    if (header.every((b) => b === 0)) {
      this.ended = true; // end-of-archive marker: whatever follows is padding
      return;
    }
    const size = headerSize(header);
    const type = String.fromCharCode(header[156]!);
    this.skip = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      this.pending = null;
      this.capture = size <= MAX_PAX_BYTES && size > 0 ? { left: size, parts: [] } : null;
      return;
    }
    if (META_TYPES.has(type)) return;
    if (this.pending?.size) this.byEntry.set(this.entryIndex, this.pending);
    this.pending = null;
    this.entryIndex++;
  }
}
