// The upload tar read back by tar-stream, the parser the engine extracts uploads with (the e2e test uploads
// through a real engine into a container).
import { describe, expect, it } from 'vitest';
import tarStream from 'tar-stream';
import { fromBase64, toBase64 } from './base64';
import { buildTar } from './tar';

const longName = `${'deep-name-'.repeat(15)}.txt`;

interface Entry {
  name: string;
  type: string;
  mode: number;
  mtime: number;
  content: string;
}

async function readTar(tar: Uint8Array): Promise<Entry[]> {
  const seen: Entry[] = [];
  const extract = tarStream.extract();
  extract.on('entry', (h, s, next) => {
    const chunks: Uint8Array[] = [];
    s.on('data', (c) => void chunks.push(c as Uint8Array));
    s.on('end', () => {
      seen.push({ name: h.name, type: h.type ?? '', mode: h.mode ?? -1, mtime: h.mtime?.getTime() ?? -1, content: Buffer.concat(chunks).toString() });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  extract.end(Buffer.from(tar));
  await done;
  return seen;
}

describe('upload tar', () => {
  it('holds each file with its content, mode and mtime; a name over 100 bytes survives through PAX', async () => {
    const tar = buildTar([
      { name: 'hello.txt', data: new TextEncoder().encode('hello\n'), mode: 0o640, mtime: 1_700_000_000 },
      { name: 'empty', data: new Uint8Array(0), mtime: 1_700_000_000 },
      { name: 'big.bin', data: new Uint8Array(5000).fill(65), mode: 0o755, mtime: 1_700_000_000 },
      { name: longName, data: new TextEncoder().encode('long'), mtime: 1_700_000_000 },
    ]);
    expect(tar.length % 512).toBe(0);
    const t = 1_700_000_000_000;
    expect(await readTar(tar)).toEqual([
      { name: 'hello.txt', type: 'file', mode: 0o640, mtime: t, content: 'hello\n' },
      { name: 'empty', type: 'file', mode: 0o644, mtime: t, content: '' },
      { name: 'big.bin', type: 'file', mode: 0o755, mtime: t, content: 'A'.repeat(5000) },
      { name: longName, type: 'file', mode: 0o644, mtime: t, content: 'long' },
    ]);
  });

  it('refuses names that would escape the target directory', () => {
    for (const name of ['/etc/passwd', '../x', 'a/../../x', '', 'a//b']) {
      expect(() => buildTar([{ name, data: new Uint8Array(0) }])).toThrow(/not a file name to upload/);
    }
  });

  it('base64 round-trips bytes across chunk boundaries', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(toBase64(new TextEncoder().encode('hello\n'))).toBe(Buffer.from('hello\n').toString('base64'));
  });
});
