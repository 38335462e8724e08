// A full disk during a pull: the engine root is a 20 MB tmpfs and the image needs ~80 MB (a 40 MB layer,
// stored and unpacked). The pull fails with one error naming the disk and the fix; the store keeps only
// whole, verified blobs and no half snapshot; once the disk is larger the same pull works.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineContext } from '../context';
import type { Store } from '../store/db';
import { startRegistry, type TestRegistry } from '../testing/registry';
import { buildImage, buildLayer, pushImage, tarOf, type BuiltImage } from '../testing/image-builder';
import { callCtx, imagesContext } from './testkit';
import { createImagesService, type ImagesService } from './service';
import { createImageArchiveService } from './archive-service';

let reg: TestRegistry;
let image: BuiltImage;
let root = '';
let mounted = false;
let store: Store | null = null;
let ctx: EngineContext;
let svc: ImagesService;

const mount = (...args: string[]) => {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
};

beforeAll(async () => {
  reg = await startRegistry();
  // Random bytes do not compress: the blob is as big as the file.
  image = await buildImage({ layers: [[{ path: 'data/', type: 'directory' }, { path: 'data/blob', content: crypto.randomBytes(40_000_000) }]] });
  await pushImage(reg, 'big/one', '1', image);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-fulldisk-'));
  mount('-t', 'tmpfs', '-o', 'size=20m,mode=0700', 'tmpfs', root);
  mounted = true;
  ctx = imagesContext(root);
  store = ctx.store;
  svc = createImagesService(ctx, { dockerConfig: path.join(os.tmpdir(), 'fd-fulldisk-no-config') });
  await svc.start?.();
}, 120_000);
afterAll(async () => {
  store?.close();
  if (mounted) spawnSync('umount', [root]);
  if (root) fs.rmSync(root, { recursive: true, force: true });
  await reg?.stop();
});

/** Every blob in the store has the digest its name says. */
function blobsAreWhole(blobs: string): boolean {
  return fs.readdirSync(blobs).every((hex) => crypto.createHash('sha256').update(fs.readFileSync(path.join(blobs, hex))).digest('hex') === hex);
}

describe('full disk during a load or a pull', () => {
  it('a load that does not fit fails naming the disk and leaves no upload, blob or snapshot', async () => {
    const archive = createImageArchiveService(ctx, svc);
    // 8 MB uploaded, then stored as a blob and unpacked: 24 MB on a 20 MB disk.
    const layer = await buildLayer([{ path: 'data', content: crypto.randomBytes(8_000_000) }], 'none');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.diffId] } }));
    const tar = await tarOf([
      { path: 'layer.tar', content: layer.data },
      { path: 'config.json', content: config },
      { path: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', RepoTags: ['full/disk:1'], Layers: ['layer.tar'] }]) },
    ]);
    const uploadId = 'full-disk-upload';
    for (let off = 0; off < tar.length; off += 1 << 20) {
      await archive.handlers['images.loadUpload']({ uploadId, data: tar.subarray(off, off + (1 << 20)).toString('base64') }, callCtx());
    }
    const load = async () => {
      for await (const p of archive.handlers['images.load']({ uploadId }, callCtx())) void p;
    };
    await expect(load()).rejects.toThrow(new RegExp(`^no space left on ${root} \\(.+\\) while loading an image archive: nothing partial was kept`));
    expect(fs.readdirSync(ctx.paths.tmp)).toEqual([]);
    expect(fs.readdirSync(path.join(ctx.paths.images, 'blobs', 'sha256'))).toEqual([]);
    expect(fs.readdirSync(path.join(ctx.paths.images, 'ingest'))).toEqual([]);
    expect(fs.readdirSync(path.join(ctx.paths.images, 'layers'))).toEqual([]);
  }, 60_000);


  it('fails naming the disk, keeps the store consistent, and a later pull with more room works', async () => {
    const paths = ctx.paths;
    store = ctx.store;
    const ref = `${reg.host}/big/one:1`;
    const pull = async () => {
      for await (const p of svc.handlers['images.pull']({ ref }, callCtx())) void p;
    };

    const failure = await pull().then(
      () => null,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(new RegExp(`^no space left on ${root} \\(\\d+\\.\\d MB free of 21\\.0 MB\\) while pulling ${reg.host}/big/one:1: nothing partial was kept; free space \\(fd image prune -a, fd system prune -a\\) or raise the size of the disk holding ${root}, then try again$`));
    expect((failure as { code?: string }).code).toBe('unavailable');

    const layer = image.layers[0]!;
    const blobs = path.join(paths.images, 'blobs', 'sha256');
    expect(fs.existsSync(path.join(blobs, layer.digest.slice(7)))).toBe(false);
    expect(blobsAreWhole(blobs)).toBe(true);
    expect(fs.readdirSync(path.join(paths.images, 'ingest'))).toEqual([]);
    expect(fs.readdirSync(path.join(paths.images, 'layers'))).toEqual([]);
    expect(store.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
    expect(await svc.handlers['images.list']({ all: true, filters: [] }, callCtx())).toEqual([]);

    // More room (what "raise the size" means for this disk), then the same pull from scratch.
    mount('-o', 'remount,size=200m', root);
    await pull();
    const resolved = await ctx.images!.resolve(ref);
    expect(fs.statSync(path.join(resolved.lowerDirs[0]!, 'data', 'blob')).size).toBe(40_000_000);
    expect(blobsAreWhole(blobs)).toBe(true);
  }, 120_000);
});
