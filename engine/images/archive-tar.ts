// Random access into an image archive on disk: one pass over the tar headers records where each member's
// bytes sit, so a loader reads manifest.json (often last) first and then streams each layer straight from
// the file. Understands ustar prefixes, PAX path/size records and GNU long names; symlinks and hardlinks
// between members (docker save links repeated layers) resolve to the member they name.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { invalid } from '../api/errors';

export interface TarMember {
  name: string;
  /** '0' file, '1' hardlink, '2' symlink, '5' directory ... */
  type: string;
  /** Byte offset of the member's data in the file. */
  offset: number;
  size: number;
  linkname: string;
}

const BLOCK = 512;
const MAX_META_BYTES = 1 << 20;

const cstring = (b: Buffer) => {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
};

function numeric(field: Buffer): number {
  if (field[0]! & 0x80) {
    // GNU base-256 for sizes over 8 GB.
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = cstring(field).trim();
  return text ? parseInt(text, 8) : 0;
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === numeric(header.subarray(148, 156));
}

/** PAX extended header records: `LEN key=value\n`. */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString(), 10);
    if (!len) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

export const memberName = (raw: string) => path.posix.normalize(raw.replace(/^\/+/, '')).replace(/^\.\/?/, '').replace(/\/+$/, '');

export class TarIndex {
  private constructor(
    readonly file: string,
    readonly members: Map<string, TarMember>,
  ) {}

  static async open(file: string): Promise<TarIndex> {
    const members = new Map<string, TarMember>();
    const fh = await fsp.open(file, 'r');
    try {
      const header = Buffer.alloc(BLOCK);
      let pos = 0;
      let pax: Record<string, string> = {};
      let longName: string | null = null;
      let longLink: string | null = null;
      for (;;) {
        const { bytesRead } = await fh.read(header, 0, BLOCK, pos);
        if (bytesRead < BLOCK) {
          if (pos === 0) throw invalid('the archive is empty or not a tar file');
          break;
        }
        if (header.every((b) => b === 0)) break;
        if (!checksumOk(header)) throw invalid(`the archive is not a valid tar file (bad header at byte ${pos})`);
        const type = header[156] ? String.fromCharCode(header[156]!) : '0';
        let size = numeric(header.subarray(124, 136));
        const dataStart = pos + BLOCK;
        const readData = async () => {
          if (size > MAX_META_BYTES) throw invalid(`tar metadata record at byte ${pos} is too large`);
          const b = Buffer.alloc(size);
          await fh.read(b, 0, size, dataStart);
          return b;
        };
        if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
          const data = await readData();
          if (type === 'x') pax = parsePax(data);
          else if (type === 'L') longName = cstring(data);
          else if (type === 'K') longLink = cstring(data);
          pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
          continue;
        }
        if (pax.size !== undefined) size = Number(pax.size);
        const prefix = header.subarray(257, 263).toString() === 'ustar\0' ? cstring(header.subarray(345, 500)) : '';
        const base = cstring(header.subarray(0, 100));
        const raw = pax.path ?? longName ?? (prefix ? `${prefix}/${base}` : base);
        const linkname = pax.linkpath ?? longLink ?? cstring(header.subarray(157, 257));
        const name = memberName(raw);
        members.set(name, { name, type, offset: dataStart, size: type === '0' || type === '7' ? size : 0, linkname });
        pax = {};
        longName = null;
        longLink = null;
        pos = dataStart + (type === '0' || type === '7' ? Math.ceil(size / BLOCK) * BLOCK : 0);
      }
    } finally {
      await fh.close();
    }
    return new TarIndex(file, members);
  }

  /** The regular file `name` names, through symlinks and hardlinks inside the archive; null when absent. */
  resolve(name: string): TarMember | null {
    let current = memberName(name);
    for (let hop = 0; hop < 16; hop++) {
      const m = this.members.get(current);
      if (!m) return null;
      if (m.type === '0' || m.type === '7') return m;
      if (m.type === '1') current = memberName(m.linkname);
      else if (m.type === '2') current = memberName(path.posix.join(path.posix.dirname(current), m.linkname));
      else return null;
    }
    return null;
  }

  has(name: string): boolean {
    return this.resolve(name) !== null;
  }

  /** A member that must exist, named in the error when it does not. */
  member(name: string, what: string): TarMember {
    const m = this.resolve(name);
    if (!m) throw invalid(`the archive has no ${what} "${name}"`);
    return m;
  }

  stream(member: TarMember): AsyncIterable<Buffer> {
    if (member.size === 0) return (async function* () {})();
    return fs.createReadStream(this.file, { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 1 << 20 });
  }

  async read(member: TarMember, limit = 16 << 20): Promise<Buffer> {
    if (member.size > limit) throw invalid(`archive member ${member.name} is too large (${member.size} bytes)`);
    const fh = await fsp.open(this.file, 'r');
    try {
      const b = Buffer.alloc(member.size);
      await fh.read(b, 0, member.size, member.offset);
      return b;
    } finally {
      await fh.close();
    }
  }

  async json<T>(name: string, what: string): Promise<T> {
    const data = await this.read(this.member(name, what));
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      throw invalid(`${what} "${name}" in the archive is not valid JSON`);
    }
  }
}
