// Layers unpacked in a worker thread land exactly as in the engine thread, and failures come back intact: the
// source's own error, an EngineError with its code, a system error with its errno code (ENOSPC must stay one).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/errors';
import { buildLayer, type Compression, type TarEntry } from '../testing/image-builder';
import { tempRoot } from '../testing/engine';
import { unpackInWorker } from './unpack-pool';
import { writeLayer } from './unpack-writer';

const base = tempRoot('fd-unpack-pool-');
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => {
  const dir = path.join(base, `r${n++}`);
  fs.mkdirSync(dir);
  return dir;
};

/** The bytes in uneven chunks, like a network delivers them. */
async function* chunked(data: Buffer, size = 7001): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/** Path → type, mode, mtime, size, content hash or link target: everything an unpack decides. */
function describeTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, name);
      const abs = path.join(root, r);
      const st = fs.lstatSync(abs);
      const what = st.isSymbolicLink()
        ? `link ${fs.readlinkSync(abs)}`
        : st.isDirectory()
          ? 'dir'
          : `file ${st.size} ${crypto.createHash('sha256').update(fs.readFileSync(abs)).digest('hex').slice(0, 16)} nlink ${st.nlink}`;
      // Parents the tar does not list are made now: their times are the clock's.
      const listed = !st.isDirectory() || entries.some((e) => e.path.replace(/\/$/, '') === r);
      out[r] = `${what} mode ${(st.mode & 0o7777).toString(8)} uid ${st.uid} mtime ${st.isSymbolicLink() || !listed ? '-' : Math.floor(st.mtimeMs / 1000)}`;
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

const entries: TarEntry[] = [
  { path: 'etc/', type: 'directory', mode: 0o750, mtime: new Date('2020-01-02T03:04:05Z') },
  { path: 'etc/conf', content: 'a=1\n', mode: 0o600, uid: 1000, gid: 1000, mtime: new Date('2021-05-06T07:08:09Z') },
  { path: 'bin/tool', content: crypto.randomBytes(300 * 1024), mode: 0o4755 },
  { path: 'bin/big', content: crypto.randomBytes(3 << 20), mode: 0o755 },
  { path: 'bin/alias', type: 'symlink', linkname: 'tool' },
  { path: 'bin/hard', type: 'link', linkname: 'bin/tool' },
  { path: 'usr/share/doc/readme', content: 'x'.repeat(5000) },
];

describe('unpack worker', () => {
  for (const compression of ['gzip', 'zstd', 'none'] as Compression[]) {
    it(`unpacks a ${compression} layer to the same tree and diff id as the engine thread`, async () => {
      const layer = await buildLayer(entries, compression);
      const inWorker = freshRoot();
      const inThread = freshRoot();
      const viaWorker = await unpackInWorker(chunked(layer.data), inWorker, { layer: layer.digest, decompress: true });
      expect(viaWorker, 'a worker ran').not.toBeNull();
      const viaThread = await writeLayer(chunked(layer.data), inThread, { layer: layer.digest, decompress: true });
      expect(viaWorker).toEqual(viaThread);
      expect(viaWorker!.diffId).toBe(layer.diffId);
      expect(describeTree(inWorker)).toEqual(describeTree(inThread));
      expect(fs.statSync(path.join(inWorker, 'bin/tool')).mode & 0o7777).toBe(0o4755);
    });
  }

  it('a source that fails midway fails the unpack with its error, and nothing lands after that', async () => {
    const layer = await buildLayer(entries, 'gzip');
    const root = freshRoot();
    async function* broken() {
      yield* chunked(layer.data.subarray(0, layer.data.length >> 1));
      throw new EngineError('unavailable', 'connection reset by the registry');
    }
    await expect(unpackInWorker(broken(), root, { layer: layer.digest, decompress: true })).rejects.toThrow('connection reset by the registry');
    fs.rmSync(root, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.existsSync(root), 'the worker wrote into the root after the unpack settled').toBe(false);
    // The worker is still good for the next layer.
    const next = freshRoot();
    expect((await unpackInWorker(chunked(layer.data), next, { layer: layer.digest, decompress: true }))!.diffId).toBe(layer.diffId);
  });

  it('an unsafe entry comes back as an EngineError naming it, a system error with its errno code', async () => {
    const hostile = await buildLayer([{ path: '../evil', content: 'x' }], 'gzip');
    const unsafe = await unpackInWorker(chunked(hostile.data), freshRoot(), { layer: hostile.digest, decompress: true }).catch((e: unknown) => e);
    expect(unsafe).toBeInstanceOf(EngineError);
    expect((unsafe as EngineError).code).toBe('invalid');
    expect((unsafe as EngineError).message).toContain('../evil');
    const layer = await buildLayer(entries, 'gzip');
    const missing = path.join(base, 'no-such-root');
    const system = (await unpackInWorker(chunked(layer.data), missing, { layer: layer.digest, decompress: true }).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(system).toBeInstanceOf(Error);
    expect(system.code).toBe('ENOENT');
    expect(system.message).toContain(missing);
  });
});
