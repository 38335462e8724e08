// The pieces of container file access that need no container: chroot-style path resolution on a real
// directory tree, and docker cp's rules for where a copy lands.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInRoot, resolveRequested } from './files-path';
import { planCopy, renameTop, splitCpArg } from './files-copy';
import { ChunkChannel, Uploads } from './files-upload';
import { extractTar } from './files-tar';
import { tarOf, type TarEntry } from '../testing/image-builder';

let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-files-path-'));
  fs.mkdirSync(path.join(root, 'etc'));
  fs.mkdirSync(path.join(root, 'var/run'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'container\n');
  fs.symlinkSync('/etc/passwd', path.join(root, 'abs'));
  fs.symlinkSync('../../../../../etc', path.join(root, 'var/climb'));
  fs.symlinkSync('/var/run', path.join(root, 'run'));
  fs.symlinkSync('loop2', path.join(root, 'loop1'));
  fs.symlinkSync('loop1', path.join(root, 'loop2'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('resolveInRoot', () => {
  it('resolves absolute link targets and `..` inside the root', () => {
    expect(resolveInRoot(root, '/abs', true)).toMatchObject({ path: '/etc/passwd', host: path.join(root, 'etc/passwd') });
    expect(resolveInRoot(root, '/var/climb/passwd', true).host).toBe(path.join(root, 'etc/passwd'));
    expect(resolveInRoot(root, '/../../..', true)).toMatchObject({ path: '/', host: root });
    expect(resolveInRoot(root, 'run/x', true)).toMatchObject({ path: '/var/run/x', stat: null });
  });

  it('keeps a final link unless asked to follow it, as docker stat does', () => {
    expect(resolveInRoot(root, '/abs', false).stat?.isSymbolicLink()).toBe(true);
    expect(resolveRequested(root, '/run/').path).toBe('/var/run');
    expect(() => resolveRequested(root, '/abs/')).toThrow(/not a directory/);
  });

  it('reports missing paths and link loops', () => {
    expect(resolveInRoot(root, '/no/such/file', true).stat).toBeNull();
    expect(() => resolveInRoot(root, '/loop1', true)).toThrow(/too many levels of symbolic links/);
    expect(() => resolveInRoot(root, '/etc/passwd/x', true)).toThrow(/not a directory/);
  });
});

describe('extractTar', () => {
  const extractInto = async (dest: string, entries: TarEntry[], noOverwriteDirNonDir: boolean) => {
    const tar = await tarOf(entries);
    return extractTar((async function* () { yield tar; })(), { root, dest, owners: 'keep', noOverwriteDirNonDir });
  };

  it('follows a link a tar entry replaced a directory with, inside the root', async () => {
    fs.mkdirSync(path.join(root, 'x1'));
    fs.mkdirSync(path.join(root, 'target'));
    const entries: TarEntry[] = [
      { path: 'a/x', content: 'first' },
      { path: 'a', type: 'symlink', linkname: '/target' },
      { path: 'a/y', content: 'through the link' },
    ];
    await expect(extractInto('/x1', entries, true)).rejects.toThrow(/cannot overwrite directory "a" with non-directory/);
    fs.rmSync(path.join(root, 'x1'), { recursive: true });
    fs.mkdirSync(path.join(root, 'x1'));
    expect(await extractInto('/x1', entries, false)).toBe(3);
    expect(fs.readlinkSync(path.join(root, 'x1/a'))).toBe('/target');
    expect(fs.readFileSync(path.join(root, 'target/y'), 'utf8')).toBe('through the link');
  });

  it('extracts into a destination reached through a link and keeps modes and times', async () => {
    const when = new Date('2019-09-09T09:09:09Z');
    await extractInto('/run', [{ path: 'd/', type: 'directory', mode: 0o700, mtime: when }, { path: 'd/f', content: 'f', mode: 0o4755, mtime: when }], true);
    const st = fs.statSync(path.join(root, 'var/run/d/f'));
    expect(st.mode & 0o7777).toBe(0o4755);
    expect(st.mtimeMs).toBe(when.getTime());
    expect(fs.statSync(path.join(root, 'var/run/d')).mtimeMs).toBe(when.getTime());
    expect(fs.statSync(path.join(root, 'var/run/d')).mode & 0o7777).toBe(0o700);
  });
});

describe("docker cp's copy rules", () => {
  it('splits CONTAINER:PATH like docker', () => {
    expect(splitCpArg('web:/etc')).toEqual({ container: 'web', path: '/etc' });
    expect(splitCpArg('/abs:path')).toEqual({ container: null, path: '/abs:path' });
    expect(splitCpArg('./x:y')).toEqual({ container: null, path: './x:y' });
    expect(splitCpArg('-')).toEqual({ container: null, path: '-' });
  });

  it('puts a source into an existing directory, or renames it to a new destination', () => {
    expect(planCopy({ path: '/etc', isDir: true }, { path: '/out', exists: true, isDir: true })).toEqual({ dir: '/out', top: 'etc' });
    expect(planCopy({ path: '/etc', isDir: true }, { path: '/out/new', exists: false, isDir: false })).toEqual({ dir: '/out', top: 'new' });
    expect(planCopy({ path: '/etc/.', isDir: true }, { path: '/out', exists: true, isDir: true })).toEqual({ dir: '/out', top: '.' });
    expect(planCopy({ path: '/etc/passwd', isDir: false }, { path: '/out/file', exists: true, isDir: false })).toEqual({ dir: '/out', top: 'file' });
    expect(() => planCopy({ path: '/etc', isDir: true }, { path: '/out/file', exists: true, isDir: false })).toThrow(/cannot copy a directory to a file/);
    expect(() => planCopy({ path: '/etc/passwd', isDir: false }, { path: '/out/missing/', exists: false, isDir: false })).toThrow(/does not exist/);
  });

  it('renames the top entry of a tar and everything under it', () => {
    const r = renameTop('.', 'dest');
    expect(['./', './a', './a/b', 'other'].map(r)).toEqual(['dest', 'dest/a', 'dest/a/b', 'other']);
    const e = renameTop('etc', 'conf');
    expect(['etc/', 'etc/passwd', 'etcetera'].map(e)).toEqual(['conf', 'conf/passwd', 'etcetera']);
  });
});

describe('uploads', () => {
  it('holds one chunk at a time: a push resolves only when the consumer takes it', async () => {
    const ch = new ChunkChannel();
    let taken = false;
    const pushed = ch.push(Buffer.from('a')).then(() => (taken = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(taken).toBe(false);
    const it = ch[Symbol.asyncIterator]();
    expect((await it.next()).value?.toString()).toBe('a');
    await pushed;
    expect(taken).toBe(true);
    const b = ch.push(Buffer.from('b'));
    await expect(ch.push(Buffer.from('c'))).rejects.toThrow(/one at a time/);
    ch.fail(new Error('closed'));
    await expect(b).rejects.toThrow('closed');
  });

  it('reports an extraction failure to the next call, and an abandoned upload ends its extraction', async () => {
    const uploads = new Uploads(50);
    const key = { id: 'c', path: '/' };
    const failing = async (src: AsyncIterable<Buffer>) => {
      for await (const chunk of src) if (chunk.toString() === 'bad') throw new Error('bad entry');
      return 1;
    };
    await expect(uploads.feed('u1', key, Buffer.from('bad'), false, failing)).resolves.toEqual({ done: false, entries: 0 });
    await expect(uploads.feed('u1', key, Buffer.alloc(0), true, failing)).rejects.toThrow('bad entry');
    let ended: unknown = null;
    await uploads.feed('u2', key, Buffer.from('ok'), false, async (src) => {
      try {
        for await (const chunk of src) void chunk;
      } catch (err) {
        ended = err;
      }
      return 0;
    });
    await new Promise((r) => setTimeout(r, 120));
    expect(String(ended)).toContain('abandoned');
  });
});
