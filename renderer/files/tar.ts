// A tar of a few files for containers.archivePut, built in the page: ustar headers, a PAX `path` record when a
// name does not fit the 100-byte name field. Regular files only (the upload picks files, not trees).
const BLOCK = 512;
const encoder = new TextEncoder();

export interface TarFile {
  /** Relative name inside the target directory (no leading '/', no '..'). */
  name: string;
  data: Uint8Array;
  /** Permission bits; 0o644 when absent. */
  mode?: number;
  /** Seconds since the epoch; now when absent. */
  mtime?: number;
}

function writeString(block: Uint8Array, offset: number, size: number, value: string) {
  const bytes = encoder.encode(value);
  if (bytes.length > size) throw new Error(`tar header field too long: ${value}`);
  block.set(bytes, offset);
}

/** Octal number, zero padded, NUL terminated, as ustar numeric fields are. */
function writeOctal(block: Uint8Array, offset: number, size: number, value: number) {
  writeString(block, offset, size, value.toString(8).padStart(size - 1, '0'));
}

function header(name: string, size: number, mode: number, mtime: number, type: '0' | 'x'): Uint8Array {
  const h = new Uint8Array(BLOCK);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, mode);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // The checksum is computed with its own field as spaces.
  writeString(h, 156, 1, type);
  writeString(h, 257, 6, 'ustar');
  writeString(h, 263, 2, '00');
  writeString(h, 265, 32, 'root');
  writeString(h, 297, 32, 'root');
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** One PAX record `LEN key=value\n`, where LEN counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = encoder.encode(body).length;
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return `${len}${body}`;
}

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Rejects names that would land outside the directory extracted into. */
function checkName(name: string) {
  if (!name || name.startsWith('/') || name.split('/').some((p) => p === '..' || p === '') || name.includes('\0')) {
    throw new Error(`not a file name to upload: ${JSON.stringify(name)}`);
  }
}

export function buildTar(files: readonly TarFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const now = Math.floor(Date.now() / 1000);
  for (const f of files) {
    checkName(f.name);
    const mode = f.mode ?? 0o644;
    const mtime = Math.floor(f.mtime ?? now);
    let name = f.name;
    if (encoder.encode(name).length > 100) {
      const pax = encoder.encode(paxRecord('path', f.name));
      parts.push(header('PaxHeaders/long-name', pax.length, 0o644, mtime, 'x'), pax, new Uint8Array(padded(pax.length) - pax.length));
      name = Array.from(f.name).slice(0, 90).join(''); // Readers use the PAX path; this is only a fallback.
      while (encoder.encode(name).length > 100) name = name.slice(0, -1);
    }
    parts.push(header(name, f.data.length, mode, mtime, '0'), f.data, new Uint8Array(padded(f.data.length) - f.data.length));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
