import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, startRegistry, type TestProxy, type TestRegistry } from '../testing/registry';
import { buildImage, pushImage, type BuiltImage } from '../testing/image-builder';
import { callCtx, imagesHarness, type ImagesHarness } from './testkit';

const harnesses: ImagesHarness[] = [];
const stoppers: (() => Promise<void>)[] = [];
const harness = async (settings?: Record<string, unknown>) => {
  const h = await imagesHarness(settings);
  harnesses.push(h);
  return h;
};
afterEach(() => {
  for (const h of harnesses.splice(0)) h.close();
});
afterAll(async () => {
  for (const stop of stoppers) await stop();
});

const blobFiles = (h: ImagesHarness) => fs.readdirSync(path.join(h.ctx.paths.images, 'blobs/sha256'));
const ingests = (h: ImagesHarness) => fs.readdirSync(path.join(h.ctx.paths.images, 'ingest'));
const snapshotDirs = (h: ImagesHarness) => fs.readdirSync(path.join(h.ctx.paths.images, 'layers'));

async function randomImage(bytes: number, tag: string, compression: 'gzip' | 'none' = 'gzip'): Promise<BuiltImage> {
  return buildImage({ layers: [[{ path: `data-${tag}`, content: crypto.randomBytes(bytes) }], [{ path: `small-${tag}`, content: tag }]], compression });
}

describe('registry faults', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
    stoppers.push(() => reg.stop());
  });

  it('a corrupted blob is rejected and nothing is committed; the next clean pull works', async () => {
    const image = await randomImage(64 * 1024, 'corrupt', 'none');
    await pushImage(reg, 'faults/corrupt', 'v1', image);
    const bad = image.layers[0]!.digest;
    const proxy: TestProxy = await startFaultProxy(reg.url, {
      mutateBlob: (digest, body) => {
        if (digest !== bad) return body;
        const copy = Buffer.from(body);
        copy[copy.length - 2000] ^= 0xff; // inside the file content: the tar still parses
        return copy;
      },
    });
    stoppers.push(() => proxy.stop());
    const h = await harness();
    const err = await h.pull(`${proxy.host}/faults/corrupt:v1`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining('digest mismatch') });
    expect((err as Error).message).toContain(bad);
    expect(blobFiles(h)).not.toContain(bad.slice(7));
    expect(ingests(h)).toEqual([]);
    expect(snapshotDirs(h).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    expect(await h.svc.handlers['images.list']({ all: true, filters: [] }, callCtx())).toEqual([]);
    // Same store, straight from the registry: consistent and complete.
    const items = await h.pull(`${reg.host}/faults/corrupt:v1`);
    expect(items.at(-1)).toMatchObject({ type: 'resolved', id: image.config.digest });
    expect(blobFiles(h)).toContain(bad.slice(7));
  });

  it('a dropped connection resumes the blob with Range', async () => {
    const image = await randomImage(1 << 20, 'resume');
    await pushImage(reg, 'faults/resume', 'v1', image);
    const big = image.layers[0]!;
    const proxy = await startFaultProxy(reg.url, { dropBlobAfter: (d) => (d === big.digest ? Math.floor(big.size / 2) : undefined) });
    stoppers.push(() => proxy.stop());
    const h = await harness();
    const items = await h.pull(`${proxy.host}/faults/resume:v1`);
    expect(items.at(-1)).toMatchObject({ type: 'resolved', id: image.config.digest });
    const gets = proxy.requests.filter((r) => r.path.endsWith(big.digest) && r.method === 'GET');
    expect(gets.length).toBe(2);
    expect(gets[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(gets[1]!.range!.slice(6, -1))).toBeGreaterThan(0);
    const img = await h.ctx.images!.resolve(`${proxy.host}/faults/resume:v1`);
    expect(fs.statSync(path.join(img.lowerDirs[1]!, 'data-resume')).size).toBe(1 << 20);
  });

  it('two concurrent pulls of the same image download each blob once', async () => {
    const image = await randomImage(256 * 1024, 'twice');
    await pushImage(reg, 'faults/twice', 'v1', image);
    const h = await harness();
    const [a, b] = await Promise.all([h.pull(`${reg.host}/faults/twice:v1`), h.pull(`${reg.host}/faults/twice:v1`)]);
    expect(a.at(-1)).toMatchObject({ id: image.config.digest });
    expect(b.at(-1)).toMatchObject({ id: image.config.digest });
    for (const l of image.layers) expect(h.svc.client.stats.blobRequests.get(l.digest)).toBe(1);
    expect(snapshotDirs(h).filter((d) => !d.startsWith('.'))).toHaveLength(2);
  });
});

describe('registry auth', () => {
  let reg: TestRegistry;
  let image: BuiltImage;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token', users: { alice: 'secret' } });
    stoppers.push(() => reg.stop());
    image = await randomImage(1024, 'auth');
    await pushImage(reg, 'private/app', 'v1', image);
  });

  it('a wrong password is a clear unauthorized error before anything is pulled', async () => {
    const h = await harness();
    const configDir = path.join(h.root, 'docker-config');
    fs.mkdirSync(configDir, { recursive: true });
    fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from('alice:wrong').toString('base64') } } }));
    const err = await h.pull(`${reg.host}/private/app:v1`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('wrong username or password') });
    expect(h.svc.client.stats.blobRequests.size).toBe(0);
    expect(blobFiles(h)).toEqual([]);
  });

  it('anonymous access to a private repository is refused with a hint to log in', async () => {
    const h = await harness();
    await expect(h.pull(`${reg.host}/private/app:v1`)).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining(`fd login ${reg.host}`) });
  });

  it('login checks the password first, stores docker-style credentials, and pulls reuse one token per scope', async () => {
    const h = await harness();
    const configFile = path.join(h.root, 'docker-config', 'config.json');
    await expect(h.svc.handlers['auth.login']({ server: reg.host, username: 'alice', password: 'nope' }, callCtx())).rejects.toMatchObject({ code: 'unauthorized' });
    expect(fs.existsSync(configFile)).toBe(false);
    expect(await h.svc.handlers['auth.login']({ server: reg.host, username: 'alice', password: 'secret' }, callCtx())).toEqual({ status: 'Login Succeeded' });
    const saved = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(saved.auths[reg.host]!.auth, 'base64').toString()).toBe('alice:secret');
    const before = reg.tokenRequests.length;
    const items = await h.pull(`${reg.host}/private/app:v1`);
    expect(items.at(-1)).toMatchObject({ type: 'resolved', id: image.config.digest });
    const scoped = reg.tokenRequests.slice(before);
    expect(scoped).toHaveLength(1);
    expect(scoped[0]).toMatchObject({ scope: 'repository:private/app:pull', user: 'alice', granted: true });
    expect(await h.svc.handlers['auth.logout']({ server: reg.host }, callCtx())).toEqual({ removed: true });
    expect((JSON.parse(fs.readFileSync(configFile, 'utf8')) as { auths: object }).auths).toEqual({});
  });

  it('basic auth (htpasswd) registries work after login', async () => {
    const basic = await startRegistry({ auth: 'basic', users: { bob: 'pw' } });
    stoppers.push(() => basic.stop());
    const img = await randomImage(512, 'basic');
    await pushImage(basic, 'b/app', 'v1', img);
    const h = await harness();
    await expect(h.pull(`${basic.host}/b/app:v1`)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(h.svc.handlers['auth.login']({ server: basic.host, username: 'bob', password: 'bad' }, callCtx())).rejects.toMatchObject({ code: 'unauthorized' });
    await h.svc.handlers['auth.login']({ server: basic.host, username: 'bob', password: 'pw' }, callCtx());
    expect((await h.pull(`${basic.host}/b/app:v1`)).at(-1)).toMatchObject({ id: img.config.digest });
  });
});

describe('cache budget', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
    stoppers.push(() => reg.stop());
  });

  it('evicts the least recently used unused image and never one a container uses', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((t) => randomImage(32 * 1024, `cache-${t}`)));
    await pushImage(reg, 'cache/a', 'v1', a!);
    await pushImage(reg, 'cache/b', 'v1', b!);
    await pushImage(reg, 'cache/c', 'v1', c!);
    const h = await harness({ 'cache.maxBytes': 1 });
    await h.pull(`${reg.host}/cache/a:v1`);
    h.ctx.images!.addUser(a!.config.digest, 'container-1');
    await h.pull(`${reg.host}/cache/b:v1`);
    const ids = async () => (await h.svc.handlers['images.list']({ all: true, filters: [] }, callCtx())).map((i) => i.id).sort();
    expect(await ids()).toEqual([a!.config.digest, b!.config.digest].sort());
    await h.pull(`${reg.host}/cache/c:v1`);
    expect(await ids()).toEqual([a!.config.digest, c!.config.digest].sort());
    const evicted = h.ctx.events.list({ limit: 100, filters: { action: ['evict'] } });
    expect(evicted.map((e) => e.actor.id)).toEqual([b!.config.digest]);
    await expect(h.ctx.images!.resolve(`${reg.host}/cache/b:v1`)).rejects.toMatchObject({ code: 'not_found' });

    await expect(h.svc.handlers['images.remove']({ ref: `${reg.host}/cache/a:v1`, force: false }, callCtx())).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('container-1') });
    const df = await h.svc.handlers['system.df']({}, callCtx());
    expect(df.images).toMatchObject({ count: 2, active: 1 });
    expect(df.budget.maxBytes).toBe(1);

    h.ctx.images!.removeUser(a!.config.digest, 'container-1');
    const pruned = await h.svc.handlers['system.prune']({ all: false }, callCtx());
    expect(pruned.deleted.sort()).toEqual([a!.config.digest, c!.config.digest].sort());
    expect(pruned.spaceReclaimed).toBeGreaterThan(64 * 1024);
    expect(snapshotDirs(h)).toEqual([]);
    expect(blobFiles(h)).toEqual([]);
  });

  it('cache.maxAge evicts unused images not used for that long', async () => {
    const [old, fresh] = await Promise.all(['old', 'fresh'].map((t) => randomImage(1024, `age-${t}`)));
    await pushImage(reg, 'age/old', 'v1', old!);
    await pushImage(reg, 'age/fresh', 'v1', fresh!);
    const h = await harness({ 'cache.maxAge': '1s' });
    await h.pull(`${reg.host}/age/old:v1`);
    await new Promise((r) => setTimeout(r, 1200));
    await h.pull(`${reg.host}/age/fresh:v1`);
    const ids = (await h.svc.handlers['images.list']({ all: true, filters: [] }, callCtx())).map((i) => i.id);
    expect(ids).toEqual([fresh!.config.digest]);
  });

  it('a layer whose content does not match the config diff id is refused', async () => {
    const good = await randomImage(1024, 'diffid');
    const other = await randomImage(1024, 'diffid-other');
    // The config claims another layer's diff id for layer 0.
    const lying = await buildImage({ layers: [{ ...good.layers[0]!, diffId: other.layers[0]!.diffId }, good.layers[1]!] });
    await pushImage(reg, 'faults/diffid', 'v1', lying);
    const h = await harness();
    await expect(h.pull(`${reg.host}/faults/diffid:v1`)).rejects.toMatchObject({ message: expect.stringContaining(`diff id ${other.layers[0]!.diffId}`) });
    expect(snapshotDirs(h).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    expect(await h.svc.handlers['images.list']({ all: true, filters: [] }, callCtx())).toEqual([]);
  });

  it('tag, untag and remove follow docker semantics', async () => {
    const img = await randomImage(1024, 'tags');
    await pushImage(reg, 'tags/app', 'v1', img);
    const h = await harness();
    await h.pull(`${reg.host}/tags/app:v1`);
    await h.svc.handlers['images.tag']({ source: `${reg.host}/tags/app:v1`, target: 'mine:latest' }, callCtx());
    const inspect = await h.svc.handlers['images.inspect']({ ref: 'mine' }, callCtx());
    expect(inspect.repoTags.sort()).toEqual([`${reg.host}/tags/app:v1`, 'mine:latest'].sort());
    expect((await h.svc.handlers['images.inspect']({ ref: img.config.digest.slice(7, 19) }, callCtx())).id).toBe(img.config.digest);
    await expect(h.svc.handlers['images.remove']({ ref: img.config.digest, force: false }, callCtx())).rejects.toMatchObject({ code: 'conflict' });
    expect(await h.svc.handlers['images.remove']({ ref: 'mine', force: false }, callCtx())).toEqual({ untagged: ['mine:latest'], deleted: [] });
    const removed = await h.svc.handlers['images.remove']({ ref: `${reg.host}/tags/app:v1`, force: false }, callCtx());
    expect(removed.deleted).toEqual([img.config.digest]);
    expect(snapshotDirs(h)).toEqual([]);
    const actions = h.ctx.events.list({ limit: 100 }).map((e) => e.action).reverse();
    expect(actions).toEqual(['pull', 'tag', 'untag', 'untag', 'untag', 'delete']);
  });
});
