// The upload tar is read back by GNU tar (what users' archives are checked against) and by tar-stream, the
// parser the engine extracts uploads with.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import tarStream from 'tar-stream';
import { fromBase64, toBase64 } from './base64';
import { buildTar } from './tar';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const longName = `${'deep-name-'.repeat(15)}.txt`;

describe('upload tar', () => {
  it('extracts with GNU tar: contents, modes and a name longer than 100 bytes', () => {
    const tar = buildTar([
      { name: 'hello.txt', data: new TextEncoder().encode('hello\n'), mode: 0o640, mtime: 1_700_000_000 },
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'big.bin', data: new Uint8Array(5000).fill(7), mode: 0o755 },
      { name: longName, data: new TextEncoder().encode('long') },
    ]);
    expect(tar.length % 512).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-tar-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'up.tar'), tar);
    fs.mkdirSync(path.join(dir, 'out'));
    execFileSync('tar', ['-xf', path.join(dir, 'up.tar'), '-C', path.join(dir, 'out')]);
    const out = (f: string) => path.join(dir, 'out', f);
    expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(['big.bin', 'empty', 'hello.txt', longName].sort());
    expect(fs.readFileSync(out('hello.txt'), 'utf8')).toBe('hello\n');
    expect(fs.statSync(out('hello.txt')).mode & 0o777).toBe(0o640);
    expect(fs.statSync(out('hello.txt')).mtimeMs).toBe(1_700_000_000_000);
    expect(fs.readFileSync(out('big.bin'))).toEqual(Buffer.alloc(5000, 7));
    expect(fs.statSync(out('big.bin')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(out('empty')).size).toBe(0);
    expect(fs.readFileSync(out(longName), 'utf8')).toBe('long');
  });

  it('parses with tar-stream entry by entry (the engine reads uploads with it)', async () => {
    const tar = buildTar([{ name: 'a.txt', data: new TextEncoder().encode('A') }, { name: longName, data: new TextEncoder().encode('B') }]);
    const seen: [string, string][] = [];
    const extract = tarStream.extract();
    extract.on('entry', (h, s, next) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => {
        seen.push([h.name, Buffer.concat(chunks).toString()]);
        next();
      });
    });
    await new Promise((resolve, reject) => {
      extract.on('finish', resolve).on('error', reject);
      Readable.from([Buffer.from(tar)]).pipe(extract);
    });
    expect(seen).toEqual([
      ['a.txt', 'A'],
      [longName, 'B'],
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
