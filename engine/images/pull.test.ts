import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { afterAll, describe, expect, it } from 'vitest';
import { imagesSuite } from '../testing/images-suite';
import { buildImage, buildIndex, busyboxImage, pushImage, pushIndex, type TarEntry } from '../testing/image-builder';
import { callCtx } from './testkit';

const suite = imagesSuite();
const harness = suite.harness;

const lower: TarEntry[] = [
  { path: 'etc/', type: 'directory' },
  { path: 'etc/config', content: 'lower\n' },
  { path: 'etc/gone', content: 'remove me\n' },
  { path: 'opaque/', type: 'directory' },
  { path: 'opaque/old', content: 'hidden by opaque\n' },
  { path: 'usr/', type: 'directory' },
  { path: 'usr/lib/', type: 'directory' },
  { path: 'usr/lib/libc.so', content: 'ELF', mode: 0o755 },
  { path: 'lib', type: 'symlink', linkname: 'usr/lib' },
  { path: 'abs-link', type: 'symlink', linkname: '/usr/lib/libc.so' },
  { path: 'bin/', type: 'directory' },
  { path: 'bin/tool', content: '#!/bin/sh\necho hi\n', mode: 0o4755, uid: 0, gid: 0 },
  { path: 'bin/tool-hard', type: 'link', linkname: 'bin/tool' },
  { path: 'home/', type: 'directory' },
  { path: 'home/user/', type: 'directory', uid: 1000, gid: 1000, mode: 0o700 },
  { path: 'home/user/file', content: 'mine', uid: 1000, gid: 1000, mode: 0o600, pax: { 'SCHILY.xattr.user.note': 'hello', 'SCHILY.xattr.trusted.overlay.redirect': '/etc' } },
  { path: 'dev/', type: 'directory' },
  { path: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { path: 'run/', type: 'directory' },
  { path: 'run/pipe', type: 'fifo', mode: 0o620 },
  { path: 'opt/', type: 'directory', mode: 0o750, uid: 7, gid: 8 },
];
const upper: TarEntry[] = [
  { path: 'etc/', type: 'directory' },
  { path: 'etc/.wh.gone', content: '' },
  { path: 'etc/config', content: 'upper\n' },
  { path: 'opaque/', type: 'directory' },
  { path: 'opaque/.wh..wh..opq', content: '' },
  { path: 'opaque/new', content: 'fresh\n' },
  { path: 'opt/sub/new', content: 'n' },
];

describe('images.pull', () => {
  it('pulls by tag and by digest, unpacking files, modes, owners, links, whiteouts and opaque dirs', async () => {
    const image = await buildImage({ layers: [lower, upper], config: { Cmd: ['/bin/tool'], Env: ['A=1'], WorkingDir: '/home' } });
    image.layers[1] = (await buildImage({ layers: [upper], compression: 'zstd' })).layers[0]!;
    const rebuilt = await buildImage({ layers: image.layers, config: { Cmd: ['/bin/tool'], Env: ['A=1'], WorkingDir: '/home' } });
    await pushImage(suite.registry, 'test/multi', 'v1', rebuilt);
    const h = await harness();
    const items = await h.pull(`${suite.registry.host}/test/multi:v1`);
    const resolved = items.at(-1)!;
    expect(resolved).toMatchObject({ type: 'resolved', id: rebuilt.config.digest, digest: rebuilt.manifest.digest, downloaded: true, ref: `${suite.registry.host}/test/multi:v1` });
    for (const l of rebuilt.layers) {
      const phases = items.filter((i) => i.type === 'layer' && i.layer === l.digest).map((i) => (i.type === 'layer' ? i.phase : ''));
      expect(phases[0]).toBe('waiting');
      expect(phases).toContain('downloading');
      expect(phases.at(-1)).toBe('done');
    }

    const resolvedImage = await h.ctx.images!.resolve(`${suite.registry.host}/test/multi:v1`);
    expect(resolvedImage.ref).toBe(`${suite.registry.host}/test/multi:v1`);
    expect((await h.ctx.images!.resolve(rebuilt.config.digest.slice(7, 19))).ref).toBe(rebuilt.config.digest);
    expect(resolvedImage.config).toMatchObject({ Cmd: ['/bin/tool'], Env: ['A=1'], WorkingDir: '/home' });
    const [top, bottom] = resolvedImage.lowerDirs as [string, string];
    expect(resolvedImage.lowerDirs).toHaveLength(2);
    expect(fs.readFileSync(path.join(bottom, 'etc/config'), 'utf8')).toBe('lower\n');
    expect(fs.readFileSync(path.join(top, 'etc/config'), 'utf8')).toBe('upper\n');
    const wh = fs.lstatSync(path.join(top, 'etc/gone'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    expect(getAttributeSync(path.join(top, 'opaque'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(fs.existsSync(path.join(top, 'opaque/.wh..wh..opq'))).toBe(false);
    expect(fs.readlinkSync(path.join(bottom, 'lib'))).toBe('usr/lib');
    expect(fs.readlinkSync(path.join(bottom, 'abs-link'))).toBe('/usr/lib/libc.so');
    const tool = fs.statSync(path.join(bottom, 'bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(fs.statSync(path.join(bottom, 'bin/tool-hard')).ino).toBe(tool.ino);
    const home = fs.statSync(path.join(bottom, 'home/user'));
    expect([home.uid, home.gid, home.mode & 0o777]).toEqual([1000, 1000, 0o700]);
    expect(getAttributeSync(path.join(bottom, 'home/user/file'), 'user.note')?.toString()).toBe('hello');
    expect(getAttributeSync(path.join(bottom, 'home/user/file'), 'trusted.overlay.redirect')).toBeNull();
    // Parents the upper tar did not list keep the lower layer's owner and mode.
    const opt = fs.statSync(path.join(top, 'opt'));
    expect([opt.uid, opt.gid, opt.mode & 0o7777]).toEqual([7, 8, 0o750]);
    expect(fs.statSync(path.join(top, 'opt/sub')).mode & 0o7777).toBe(0o755);
    const dev = fs.lstatSync(path.join(bottom, 'dev/null'));
    expect([dev.isCharacterDevice(), dev.rdev, dev.mode & 0o777]).toEqual([true, fs.statSync('/dev/null').rdev, 0o666]);
    const fifo = fs.lstatSync(path.join(bottom, 'run/pipe'));
    expect([fifo.isFIFO(), fifo.mode & 0o777]).toEqual([true, 0o620]);

    // By digest: same image, no new download, a digest ref recorded.
    const again = await h.pull(`${suite.registry.host}/test/multi@${rebuilt.manifest.digest}`);
    expect(again.at(-1)).toMatchObject({ type: 'resolved', id: rebuilt.config.digest, downloaded: false });
    expect(again.filter((i) => i.type === 'layer' && i.phase === 'exists')).toHaveLength(2);
    const list = await h.svc.handlers['images.list']({ all: true, filters: [] }, callCtx());
    expect(list).toHaveLength(1);
    expect(list[0]!.repoTags).toEqual([`${suite.registry.host}/test/multi:v1`]);
    expect(list[0]!.repoDigests).toEqual([`${suite.registry.host}/test/multi@${rebuilt.manifest.digest}`]);
    const events = h.ctx.events.list({ limit: 100 }).map((e) => e.action);
    expect(events.filter((a) => a === 'pull')).toHaveLength(2);
  });

  it('selects linux/amd64 from a multi-platform index and skips attestations', async () => {
    const amd = await buildImage({ layers: [[{ path: 'arch', content: 'amd64' }]], architecture: 'amd64' });
    const arm = await buildImage({ layers: [[{ path: 'arch', content: 'arm64' }]], architecture: 'arm64', variant: 'v8' });
    const attestation = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: arm.manifest.digest, size: arm.manifest.size, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } };
    const index = buildIndex([arm, amd], 'oci', [attestation]);
    await pushIndex(suite.registry, 'test/multiarch', 'latest', [arm, amd], index);
    const h = await harness();
    const items = await h.pull(`${suite.registry.host}/test/multiarch`, 'linux/amd64');
    expect(items.at(-1)).toMatchObject({ type: 'resolved', id: amd.config.digest, digest: index.digest });
    const img = await h.ctx.images!.resolve(`${suite.registry.host}/test/multiarch`);
    expect(fs.readFileSync(path.join(img.lowerDirs[0]!, 'arch'), 'utf8')).toBe('amd64');
    const armItems = await h.pull(`${suite.registry.host}/test/multiarch`, 'linux/aarch64');
    expect(armItems.at(-1)).toMatchObject({ id: arm.config.digest });
    await expect(h.pull(`${suite.registry.host}/test/multiarch`, 'linux/s390x')).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('no matching manifest for linux/s390x') });
  });

  it('a missing tag is not_found and a busybox image pulls with its applet symlinks', async () => {
    const bb = await busyboxImage();
    await pushImage(suite.registry, 'library/busybox', 'latest', bb);
    const h = await harness();
    await expect(h.pull(`${suite.registry.host}/library/busybox:nope`)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('not found') });
    await h.pull(`${suite.registry.host}/library/busybox`);
    const img = await h.ctx.images!.resolve(`${suite.registry.host}/library/busybox:latest`);
    expect(fs.readlinkSync(path.join(img.lowerDirs[0]!, 'bin/sh'))).toBe('busybox');
    expect(fs.statSync(path.join(img.lowerDirs[0]!, 'bin/busybox')).size).toBe(fs.statSync('/bin/busybox').size);
    expect(fs.statSync(path.join(img.lowerDirs[0]!, 'tmp')).mode & 0o7777).toBe(0o1777);
  });
});

describe('crash leftovers', () => {
  it('a restart removes half-unpacked and unrecorded layer dirs but keeps partial downloads for resume', async () => {
    const h = await harness();
    const layers = path.join(h.ctx.paths.images, 'layers');
    fs.mkdirSync(path.join(layers, '.tmp-abc', 'etc'), { recursive: true });
    fs.mkdirSync(path.join(layers, 'deadbeefdeadbeefdeadbeef'));
    const ingest = path.join(h.ctx.paths.images, 'ingest', 'ab'.repeat(32));
    fs.mkdirSync(ingest, { recursive: true });
    fs.writeFileSync(path.join(ingest, 'data'), 'partial');
    await h.svc.start!();
    expect(fs.readdirSync(layers)).toEqual([]);
    expect(fs.readFileSync(path.join(ingest, 'data'), 'utf8')).toBe('partial');
  });
});

describe('hostile layers', () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-outside-'));
  afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

  it.each([
    ['dot-dot', [{ path: '../../../../escaped', content: 'x' }], 'path leaves the layer'],
    ['absolute', [{ path: `${outside}/abs`, content: 'x' }], 'absolute path'],
    ['symlinked parent', [{ path: 'evil', type: 'symlink', linkname: outside }, { path: 'evil/pwned', content: 'x' }], 'is a symlink'],
    ['hardlink out', [{ path: 'hl', type: 'link', linkname: '../../../../etc/passwd' }], 'path leaves the layer'],
    ['hardlink to a missing file', [{ path: 'hl', type: 'link', linkname: 'etc/shadow' }], 'not in this layer'],
  ] as [string, TarEntry[], string][])('%s is refused with the path named and nothing written outside', async (name, entries, why) => {
    const image = await buildImage({ layers: [[{ path: 'ok', content: 'fine' }], entries] });
    const repo = `hostile/${name.replace(/[^a-z]/g, '')}`;
    await pushImage(suite.registry, repo, 'v1', image);
    const h = await harness();
    const err = await h.pull(`${suite.registry.host}/${repo}:v1`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid' });
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).toContain(entries.at(-1)!.path);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(path.join(h.root, 'escaped'))).toBe(false);
    expect(fs.existsSync('/escaped')).toBe(false);
    const layersDir = path.join(h.ctx.paths.images, 'layers');
    // Only the good layer's snapshot may remain; no temp dirs, no image record.
    expect(fs.readdirSync(layersDir).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    expect(await h.svc.handlers['images.list']({ all: true, filters: [] }, callCtx())).toEqual([]);
    expect(fs.existsSync(path.join(h.ctx.paths.images, 'blobs/sha256', image.layers[1]!.digest.slice(7)))).toBe(false);
  });
});
