// images.save / images.load over a real store (SQLite, content store, overlay snapshots) with images pulled
// from a real docker-registry, and archives written the way `docker save` (legacy and OCI) writes them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../api/images';
import { imagesSuite } from '../testing/images-suite';
import { buildImage, buildLayer, pushImage, sha256, tarOf, type TarEntry } from '../testing/image-builder';
import { createImageArchiveService } from './archive-service';
import { TarIndex } from './archive-tar';
import { callCtx } from './testkit';

const suite = imagesSuite();

async function harness() {
  const h = await suite.harness();
  const archive = createImageArchiveService(h.ctx, h.svc);
  await archive.start?.();
  const save = async (refs: string[]) => {
    const parts: Buffer[] = [];
    for await (const item of archive.handlers['images.save']({ refs }, callCtx())) parts.push(Buffer.from(item.data, 'base64'));
    return Buffer.concat(parts);
  };
  const load = async (tar: Buffer) => {
    const uploadId = `test-${Math.random().toString(36).slice(2, 12)}`;
    for (let off = 0; off < tar.length || off === 0; off += 300_000) {
      await archive.handlers['images.loadUpload']({ uploadId, data: tar.subarray(off, off + 300_000).toString('base64') }, callCtx());
      if (tar.length === 0) break;
    }
    const items: LoadProgress[] = [];
    for await (const item of archive.handlers['images.load']({ uploadId }, callCtx())) items.push(item);
    return items;
  };
  return { h, save, load, archive };
}

const lower: TarEntry[] = [
  { path: 'etc/', type: 'directory' },
  { path: 'etc/config', content: 'lower\n' },
  { path: 'etc/gone', content: 'remove me\n' },
  { path: 'bin/', type: 'directory' },
  { path: 'bin/tool', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
  { path: 'lib', type: 'symlink', linkname: 'usr/lib' },
];
const upper: TarEntry[] = [
  { path: 'etc/', type: 'directory' },
  { path: 'etc/.wh.gone', content: '' },
  { path: 'etc/config', content: 'upper\n' },
];

/** A tar of named members (files and symlinks), as an archive writer would lay them out. */
async function archiveOf(members: Record<string, Buffer | { symlink: string }>): Promise<Buffer> {
  return tarOf(
    Object.entries(members).map(([p, v]) => (Buffer.isBuffer(v) ? { path: p, content: v, mode: 0o644 } : { path: p, type: 'symlink' as const, linkname: v.symlink })),
  );
}

describe('image archives', () => {
  it('save then remove then load gives back the same image, tags and layers; a second load finds everything there', async () => {
    // The random bottom layer makes the archive several chunks long.
    const big: TarEntry[] = [{ path: 'big', content: crypto.randomBytes(2_000_000) }];
    const image = await buildImage({ layers: [big, lower, upper], config: { Cmd: ['/bin/tool'], Labels: { app: 'archive-test' } } });
    await pushImage(suite.registry, 'arch/two', 'v1', image);
    const { h, save, load, archive } = await harness();
    await h.pull(`${suite.registry.host}/arch/two:v1`);
    await h.svc.handlers['images.tag']({ source: `${suite.registry.host}/arch/two:v1`, target: 'local/two:copy' }, callCtx());
    const before = await h.svc.handlers['images.inspect']({ ref: 'local/two:copy' }, callCtx());

    const tar = await save([`${suite.registry.host}/arch/two:v1`, 'local/two:copy']);
    // Both layouts in one file: docker-archive manifest.json and an OCI index over the same blobs.
    const file = path.join(h.root, 'tmp', 'saved.tar');
    fs.writeFileSync(file, tar);
    const index = await TarIndex.open(file);
    const manifest = await index.json<{ Config: string; RepoTags: string[]; Layers: string[] }[]>('manifest.json', 'manifest');
    expect(manifest).toEqual([{ Config: `blobs/sha256/${image.config.digest.slice(7)}`, RepoTags: [`${suite.registry.host}/arch/two:v1`, 'local/two:copy'], Layers: image.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]);
    expect(index.has('oci-layout') && index.has('index.json') && index.has('repositories')).toBe(true);

    await h.svc.handlers['images.remove']({ ref: image.config.digest, force: true }, callCtx());
    expect(await h.svc.handlers['images.list']({ all: true, filters: [] }, callCtx())).toEqual([]);
    expect(fs.readdirSync(path.join(h.root, 'images', 'layers'))).toEqual([]);

    const items = await load(tar);
    expect(items.filter((i) => i.type === 'loaded')).toEqual([
      { type: 'loaded', name: `${suite.registry.host}/arch/two:v1`, id: image.config.digest },
      { type: 'loaded', name: 'local/two:copy', id: image.config.digest },
    ]);
    expect(items.filter((i) => i.type === 'layer' && i.phase === 'done').map((i) => (i as { layer: string }).layer)).toEqual(image.layers.map((l) => l.digest));
    const after = await h.svc.handlers['images.inspect']({ ref: 'local/two:copy' }, callCtx());
    expect(after).toMatchObject({ id: before.id, rootfs: before.rootfs, config: { Cmd: ['/bin/tool'], Labels: { app: 'archive-test' } } });
    expect(after.repoTags.sort()).toEqual(before.repoTags.sort());
    const byLabel = async (f: string) => (await h.svc.handlers['images.list']({ all: true, filters: [f] }, callCtx())).map((i) => i.id);
    expect(await byLabel('label=app=archive-test')).toEqual([image.config.digest]);
    expect(await byLabel('label=app')).toEqual([image.config.digest]);
    expect(await byLabel('label=app=other')).toEqual([]);
    // The unpacked upper layer has its whiteout; a resolve gives the container side both layers.
    const resolved = await h.ctx.images!.resolve('local/two:copy');
    expect(fs.readFileSync(path.join(resolved.lowerDirs[0]!, 'etc/config'), 'utf8')).toBe('upper\n');
    expect(fs.statSync(path.join(resolved.lowerDirs[0]!, 'etc/gone')).isCharacterDevice()).toBe(true);
    expect(fs.readdirSync(path.join(h.root, 'tmp'))).toEqual(['saved.tar']);

    const again = await load(tar);
    expect(again.filter((i) => i.type === 'layer').every((i) => i.type === 'layer' && i.phase === 'exists')).toBe(true);
    // Saved again after the load, the archive is byte for byte the same.
    expect(sha256(await save([`${suite.registry.host}/arch/two:v1`, 'local/two:copy']))).toBe(sha256(tar));
    // A repository named without a tag saves all its tags (docker save busybox), not only :latest.
    await h.svc.handlers['images.tag']({ source: 'local/two:copy', target: 'local/two:second' }, callCtx());
    const whole = path.join(h.root, 'tmp', 'whole.tar');
    fs.writeFileSync(whole, await save(['local/two']));
    const wholeManifest = await (await TarIndex.open(whole)).json<{ RepoTags: string[] }[]>('manifest.json', 'manifest');
    fs.rmSync(whole);
    expect(wholeManifest.flatMap((m) => m.RepoTags).sort()).toEqual(['local/two:copy', 'local/two:second']);
    await h.svc.handlers['images.remove']({ ref: 'local/two:second', force: false }, callCtx());
    // A reader that stops after the first chunk ends the save; the store is untouched and usable.
    for await (const item of archive.handlers['images.save']({ refs: ['local/two:copy'] }, callCtx())) {
      expect(item.data.length).toBeGreaterThan(0);
      break;
    }
    expect(sha256(await save([`${suite.registry.host}/arch/two:v1`, 'local/two:copy']))).toBe(sha256(tar));
  });

  it('loads a legacy docker-archive: uncompressed layer.tar members, a repeated layer as a symlink, config by name', async () => {
    const a = await buildLayer(lower, 'none');
    const b = await buildLayer([{ path: 'etc/', type: 'directory' }, { path: 'etc/extra', content: 'x' }], 'none');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [a.diffId, b.diffId, a.diffId] } }));
    const tar = await archiveOf({
      'aaa/layer.tar': a.data,
      'bbb/layer.tar': b.data,
      'ccc/layer.tar': { symlink: '../aaa/layer.tar' },
      [`${sha256(config).slice(7)}.json`]: config,
      'manifest.json': Buffer.from(JSON.stringify([{ Config: `${sha256(config).slice(7)}.json`, RepoTags: ['legacy/app:1'], Layers: ['aaa/layer.tar', 'bbb/layer.tar', 'ccc/layer.tar'] }])),
      repositories: Buffer.from('{}'),
    });
    const { h, load } = await harness();
    const items = await load(tar);
    expect(items.at(-1)).toEqual({ type: 'loaded', name: 'legacy/app:1', id: sha256(config) });
    const inspect = await h.svc.handlers['images.inspect']({ ref: 'legacy/app:1' }, callCtx());
    expect(inspect.rootfs.layers).toEqual([a.diffId, b.diffId, a.diffId]);
    expect(inspect.layerDirs.every((d) => fs.existsSync(d))).toBe(true);
    const events = h.ctx.events.list({ limit: 1000 }).filter((e) => e.type === 'image').map((e) => e.action);
    expect(events).toContain('load');
  });

  it('loads an OCI layout named by its index annotation; untagged images say their id', async () => {
    const image = await buildImage({ layers: [lower], compression: 'zstd' });
    const index = { schemaVersion: 2, manifests: [{ mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.size, annotations: { 'io.containerd.image.name': 'docker.io/oci/only:2', 'org.opencontainers.image.ref.name': '2' } }] };
    const blobs = Object.fromEntries([image.manifest, image.config, ...image.layers].map((b) => [`blobs/sha256/${b.digest.slice(7)}`, b.data]));
    const { h, load } = await harness();
    const items = await load(await archiveOf({ 'oci-layout': Buffer.from('{"imageLayoutVersion":"1.0.0"}'), 'index.json': Buffer.from(JSON.stringify(index)), ...blobs }));
    expect(items.at(-1)).toEqual({ type: 'loaded', name: 'oci/only:2', id: image.config.digest });
    expect((await h.svc.handlers['images.inspect']({ ref: 'oci/only:2' }, callCtx())).manifestDigest).toBe(image.manifest.digest);

    const untagged = { schemaVersion: 2, manifests: [{ ...index.manifests[0], annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] };
    const again = await load(await archiveOf({ 'oci-layout': Buffer.from('{}'), 'index.json': Buffer.from(JSON.stringify(untagged)), ...blobs }));
    expect(again.at(-1)).toEqual({ type: 'loaded', name: null, id: image.config.digest });
  });

  it('a layer that does not match its diff id fails the load by name and leaves no blob, snapshot or upload', async () => {
    const good = await buildLayer(lower, 'none');
    const evil = await tarOf([{ path: 'etc/', type: 'directory' }, { path: 'etc/config', content: 'tampered\n' }]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [good.diffId] } }));
    const tar = await archiveOf({
      'l1/layer.tar': evil,
      'config.json': config,
      'manifest.json': Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: ['bad/one:1'], Layers: ['l1/layer.tar'] }])),
    });
    const { h, load } = await harness();
    await expect(load(tar)).rejects.toThrow(`layer l1/layer.tar in the archive unpacks to diff id ${sha256(evil)}, but the image config says ${good.diffId}: the archive is corrupt`);
    expect(fs.readdirSync(path.join(h.root, 'images', 'blobs', 'sha256'))).toEqual([]);
    expect(fs.readdirSync(path.join(h.root, 'images', 'layers'))).toEqual([]);
    expect(fs.readdirSync(path.join(h.root, 'images', 'ingest'))).toEqual([]);
    expect(fs.readdirSync(path.join(h.root, 'tmp'))).toEqual([]);
    await expect(h.svc.handlers['images.inspect']({ ref: 'bad/one:1' }, callCtx())).rejects.toThrow('No such image: bad/one:1');

    await expect(load(Buffer.from('this is not a tar file at all, just some text that is long enough'.repeat(20)))).rejects.toThrow('not a valid tar file');
    await expect(load(await archiveOf({ 'hello.txt': Buffer.from('hi') }))).rejects.toThrow('neither a docker-archive (manifest.json) nor an OCI image layout (index.json)');
  });

  it('save of an image that is not there fails before any bytes', async () => {
    const { save } = await harness();
    await expect(save(['nosuch/image:1'])).rejects.toThrow('No such image: nosuch/image:1');
  });
});
