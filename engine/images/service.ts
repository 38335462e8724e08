// The images subsystem: contract handlers, the ImageProvider the container side runs images through, and the
// cache budget (LRU/age eviction of images no container uses) applied after every pull and on system prune.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { EngineApi } from '../api/contract';
import { EngineError, conflict, invalid, notFound } from '../api/errors';
import type { ImagesPullInput, PullProgress } from '../api/images';
import type { z } from 'zod';
import type { EngineContext, ImageProvider, ResolvedImage, Service } from '../context';
import { ContentStore } from './content';
import { dockerConfigDir, loadCredentials, removeCredentials, saveCredentials } from './credentials';
import { ImageMetadata, type ImageRecord } from './metadata';
import { formatPlatform, parsePlatform } from './platform';
import { Puller } from './pull';
import { DOCKER_HUB, familiarName, formatReference, parseReference, type ImageRef } from './reference';
import { RegistryClient } from './registry-client';
import { isNoSpace, noSpaceError } from './disk-full';
import { emitting } from './emitting';

type PullAuth = NonNullable<z.output<typeof ImagesPullInput>['auth']>;

type ImageHandlers = Pick<
  EngineApi,
  'images.pull' | 'images.list' | 'images.inspect' | 'images.remove' | 'images.tag' | 'images.prune' | 'system.df' | 'system.prune' | 'auth.login' | 'auth.logout'
>;

export interface ImagesService extends Service<ImageHandlers> {
  provider: ImageProvider;
  client: RegistryClient;
  /** Applies the cache budget now; returns evicted image ids. */
  enforceBudget(keep?: Set<string>): Promise<string[]>;
  /** The image a reference, an id or an id prefix names (with the normalised reference when found by one). */
  lookup(refOrId: string): { id: string; ref: string | null };
  /** The store the archive handlers (save/load) write through, with the GC leases a pull uses. */
  store: {
    meta: ImageMetadata;
    content: ContentStore;
    snapshotsDir: string;
    snapshotDir(chainId: string): string;
    lease(keys: string[], delta: 1 | -1): void;
  };
}

export interface ImagesOptions {
  /** Where docker's config.json lives; defaults to $DOCKER_CONFIG or ~/.docker. */
  dockerConfig?: string;
}

const ID_PREFIX = /^(sha256:)?[a-f0-9]{6,64}$/;

/** `7d`, `12h`, `30m`, `45s` or a number of milliseconds. */
export function parseDuration(value: unknown): number | null {
  if (value === null || value === undefined || value === '' || value === 0) return null;
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(String(value));
  if (!m) throw invalid(`cache.maxAge "${String(value)}" is not a duration like 7d, 12h or 30m`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']!;
}

/** `10GB`, `500MB`, or a number of bytes. */
export function parseBytes(value: unknown): number | null {
  if (value === null || value === undefined || value === '' || value === 0) return null;
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i.exec(String(value));
  if (!m) throw invalid(`cache.maxBytes "${String(value)}" is not a size like 10GB`);
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
  return Math.floor(Number(m[1]) * mult[unit]!);
}

/** `https://index.docker.io/v1/`, `localhost:5000/`, undefined → the registry domain. */
export function loginDomain(server: string | undefined): string {
  if (!server) return DOCKER_HUB;
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (['index.docker.io', 'registry-1.docker.io', 'docker.io'].includes(host)) return DOCKER_HUB;
  return host;
}

export function createImagesService(ctx: EngineContext, options: ImagesOptions = {}): ImagesService {
  const configDir = () => options.dockerConfig ?? dockerConfigDir();
  const meta = new ImageMetadata(ctx.store);
  const content = new ContentStore(ctx.paths.images);
  const client = new RegistryClient({
    insecure: () => ctx.settings.get<string[]>('registries.insecure', []),
    credentials: (domain) => loadCredentials(domain, configDir()),
  });
  const puller = new Puller(client, content, meta, path.join(ctx.paths.images, 'layers'));
  /** Chain ids and blobs a running pull holds, so GC never takes them before the image record exists. */
  const leases = new Map<string, number>();
  const lease = (keys: string[], delta: 1 | -1) => {
    for (const k of keys) {
      const n = (leases.get(k) ?? 0) + delta;
      if (n <= 0) leases.delete(k);
      else leases.set(k, n);
    }
  };

  const event = (action: string, id: string, attributes: Record<string, string> = {}) => ctx.events.append({ type: 'image', action, actor: { id, attributes } });

  /** The image id a reference, an id or an id prefix names. */
  const resolveId = (refOrId: string): string => lookup(refOrId).id;

  /** The image a reference, an id or an id prefix names, with the normalised reference when found by one. */
  const lookup = (refOrId: string): { id: string; ref: string | null } => {
    let parsed: ImageRef | null = null;
    try {
      parsed = parseReference(refOrId);
    } catch (err) {
      if (!ID_PREFIX.test(refOrId)) throw err;
    }
    if (parsed) {
      const ref = formatReference(parsed.digest ? { ...parsed, tag: undefined } : parsed);
      const target = meta.refTarget(ref);
      if (target) return { id: target, ref };
    }
    if (ID_PREFIX.test(refOrId)) {
      const ids = meta.findByIdPrefix(refOrId);
      if (ids.length === 1) return { id: ids[0]!, ref: null };
      if (ids.length > 1) throw conflict(`${refOrId} names more than one image: use more characters of the id`);
    }
    throw notFound(`No such image: ${refOrId}`);
  };

  const summary = (image: ImageRecord) => ({
    id: image.id,
    repoTags: meta.refsOf(image.id, 'tag').map((r) => familiarName(parseReference(r))),
    repoDigests: meta.refsOf(image.id, 'digest').map((r) => familiarName(parseReference(r))),
    created: image.created,
    size: image.size,
    uniqueSize: meta.exclusiveSize(image.id),
    containers: meta.usersOf(image.id).length,
    lastUsed: image.lastUsed,
    platform: formatPlatform(image.platform),
  });

  /** Removes snapshots and blobs no image references (and no running pull holds). */
  const collect = async (): Promise<number> => {
    let freed = 0;
    for (const s of meta.orphanSnapshots()) {
      if (leases.has(s.chainId)) continue;
      meta.deleteSnapshot(s.chainId);
      await fsp.rm(s.dir, { recursive: true, force: true });
      freed += s.size;
    }
    for (const b of meta.orphanBlobs()) {
      if (leases.has(b.digest)) continue;
      meta.deleteBlob(b.digest);
      await content.remove(b.digest);
      freed += b.size;
    }
    return freed;
  };

  const deleteImage = async (id: string, action: 'delete' | 'evict'): Promise<{ untagged: string[]; freed: number }> => {
    const refs = meta.refsOf(id);
    for (const r of refs) event('untag', id, { name: familiarName(parseReference(r)) });
    meta.deleteImage(id);
    event(action, id);
    return { untagged: refs.map((r) => familiarName(parseReference(r))), freed: await collect() };
  };

  const budget = () => ({
    maxBytes: parseBytes(ctx.settings.get<unknown>('cache.maxBytes', null)),
    maxAge: parseDuration(ctx.settings.get<unknown>('cache.maxAge', null)),
  });

  const enforceBudget = async (keep: Set<string> = new Set()): Promise<string[]> => {
    const { maxBytes, maxAge } = budget();
    if (maxBytes === null && maxAge === null) return [];
    const evicted: string[] = [];
    const candidates = meta
      .listImages()
      .filter((i) => !keep.has(i.id) && !leases.has(i.id) && meta.usersOf(i.id).length === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    const now = Date.now();
    for (const image of candidates) {
      const totals = meta.totals();
      const tooOld = maxAge !== null && now - image.lastUsed > maxAge;
      const overBudget = maxBytes !== null && totals.blobs + totals.snapshots > maxBytes;
      if (!tooOld && !overBudget) continue;
      await deleteImage(image.id, 'evict');
      evicted.push(image.id);
    }
    return evicted;
  };

  const prune = async (all: boolean) => {
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const image of meta.listImages()) {
      if (meta.usersOf(image.id).length > 0 || leases.has(image.id)) continue;
      if (!all && meta.refsOf(image.id, 'tag').length > 0) continue;
      spaceReclaimed += (await deleteImage(image.id, 'delete')).freed;
      deleted.push(image.id);
    }
    return { deleted, spaceReclaimed };
  };

  /** The puller for one pull: the shared one, or one whose registry client knows only the given credentials. */
  const pullerFor = (auth: PullAuth | undefined): Puller => {
    if (!auth) return puller;
    const creds = { username: auth.username, password: auth.password, ...(auth.identitytoken ? { identityToken: auth.identitytoken } : {}) };
    const own = new RegistryClient({ insecure: () => ctx.settings.get<string[]>('registries.insecure', []), credentials: async () => creds });
    return new Puller(own, content, meta, puller.snapshotsDir);
  };

  async function* pull(input: { ref: string; platform?: string; auth?: PullAuth }, signal: AbortSignal): AsyncGenerator<PullProgress> {
    const ref = parseReference(input.ref);
    const platform = input.platform ? parsePlatform(input.platform) : undefined;
    const leased: string[] = [];
    const work = async (push: (item: PullProgress) => void) => {
      try {
        const outcome = await pullerFor(input.auth).pull(ref, {
          platform,
          signal,
          onProgress: (p) => push({ type: 'layer', ...p }),
          lease: (keys) => {
            leased.push(...keys);
            lease(keys, 1);
          },
        });
        const image = outcome.image;
        const name = formatReference(ref);
        const digestRef = formatReference({ domain: ref.domain, path: ref.path, digest: outcome.digest });
        meta.setRef(digestRef, image.id, 'digest');
        if (ref.tag !== undefined && ref.digest === undefined) {
          const before = meta.setRef(name, image.id, 'tag');
          if (before) event('untag', before, { name: familiarName(ref) });
        }
        meta.touchImage(image.id);
        event('pull', familiarName(ref), { name: familiarName(ref), id: image.id, digest: outcome.digest });
        push({ type: 'resolved', ref: name, digest: outcome.digest, id: image.id, downloaded: outcome.downloaded });
        await enforceBudget(new Set([image.id])).catch((err: Error) => ctx.log.warn(`cache budget: ${err.message}`));
      } catch (err) {
        if (!isNoSpace(err)) throw err;
        // Nothing partial stays behind to hold the space: a resumable download is no use on a full disk.
        for (const d of leased) if (/^sha256:[a-f0-9]{64}$/.test(d)) await fsp.rm(path.join(content.ingestDir, d.slice(7)), { recursive: true, force: true });
        throw await noSpaceError(ctx.paths.root, `pulling ${familiarName(ref)}`);
      } finally {
        lease(leased, -1);
      }
    };
    // Byte counts of one layer coalesce: a slow reader sees the latest, not every step.
    yield* emitting(work, (last, next) => next.type === 'layer' && next.phase === 'downloading' && last.type === 'layer' && last.layer === next.layer && last.phase === 'downloading');
  }

  const provider: ImageProvider = {
    async resolve(refOrId): Promise<ResolvedImage> {
      const { id, ref } = lookup(refOrId);
      const image = meta.getImage(id)!;
      const dirs = image.layers.map((l) => {
        const s = meta.getSnapshot(l.chainId);
        if (!s || !fs.existsSync(s.dir)) throw new EngineError('not_found', `image ${refOrId} is missing layer ${l.digest}: pull it again`);
        return s.dir;
      });
      meta.touchImage(id);
      return { id, ref: ref ?? id, lowerDirs: dirs.reverse(), config: image.config.config ?? {} };
    },
    addUser: (imageId, containerId) => meta.addUser(imageId, containerId),
    removeUser: (imageId, containerId) => meta.removeUser(imageId, containerId),
  };

  return {
    provider,
    client,
    enforceBudget,
    lookup,
    store: { meta, content, snapshotsDir: puller.snapshotsDir, snapshotDir: (chainId) => puller.snapshotDirFor(chainId), lease },
    async start() {
      ctx.images = provider;
      ctx.counters.images = () => meta.countImages();
      // Leftovers of a crash: temp unpack dirs and layer dirs whose record never landed.
      const known = new Set(meta.allSnapshotDirs());
      for (const name of await fsp.readdir(puller.snapshotsDir)) {
        const dir = path.join(puller.snapshotsDir, name);
        if (!known.has(dir)) await fsp.rm(dir, { recursive: true, force: true });
      }
    },
    handlers: {
      'images.pull': (input, { signal }) => pull(input, signal),
      'images.list': async (input) => {
        let images = meta.listImages();
        for (const f of input.filters) {
          // Split at the first '=' only: label=KEY=VALUE keeps its value.
          const eq = f.indexOf('=');
          const [key, value] = eq < 0 ? [f, ''] : [f.slice(0, eq), f.slice(eq + 1)];
          if (key === 'dangling') images = images.filter((i) => (meta.refsOf(i.id, 'tag').length === 0) === (value !== 'false'));
          else if (key === 'reference') {
            const re = new RegExp(`^${value.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}(:.*)?$`);
            images = images.filter((i) => meta.refsOf(i.id, 'tag').some((r) => re.test(familiarName(parseReference(r))) || re.test(r)));
          } else if (key === 'label') {
            const at = value.indexOf('=');
            const [name, wanted] = at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
            images = images.filter((i) => {
              const labels = i.config.config?.Labels ?? {};
              return wanted === undefined ? name in labels : labels[name] === wanted;
            });
          } else throw invalid(`unknown image filter "${key}": use dangling=, reference= or label=`);
        }
        if (!input.all) images = images.filter((i) => meta.refsOf(i.id, 'tag').length > 0);
        return images.map(summary);
      },
      'images.inspect': async ({ ref }) => {
        const image = meta.getImage(resolveId(ref))!;
        return {
          ...summary(image),
          architecture: image.platform.architecture,
          os: image.platform.os,
          ...(image.platform.variant ? { variant: image.platform.variant } : {}),
          config: { ...(image.config.config ?? {}) } as Record<string, unknown>,
          rootfs: { type: 'layers' as const, layers: image.layers.map((l) => l.diffId) },
          layerDirs: image.layers.map((l) => meta.getSnapshot(l.chainId)?.dir ?? '').reverse(),
          manifestDigest: image.manifestDigest,
        };
      },
      'images.remove': async ({ ref, force }) => {
        const id = resolveId(ref);
        const users = meta.usersOf(id);
        const tags = meta.refsOf(id, 'tag');
        let byName: string | null = null;
        try {
          const parsed = parseReference(ref);
          const name = formatReference(parsed);
          if (meta.refTarget(name) === id) byName = name;
        } catch {
          // an id
        }
        if (byName && (tags.length > 1 || (users.length > 0 && force))) {
          meta.deleteRef(byName);
          event('untag', id, { name: familiarName(parseReference(byName)) });
          return { untagged: [familiarName(parseReference(byName))], deleted: [] };
        }
        if (users.length > 0) {
          if (!force) throw conflict(`unable to remove ${ref}: container ${users[0]!.slice(0, 12)} is using image ${id.slice(7, 19)} (stop and remove the container, or use --force to untag only)`);
          const untagged = tags.map((t) => familiarName(parseReference(t)));
          for (const t of tags) meta.deleteRef(t);
          for (const u of untagged) event('untag', id, { name: u });
          return { untagged, deleted: [] };
        }
        if (!byName && tags.length > 1 && !force) throw conflict(`unable to delete ${id.slice(7, 19)}: the image is referenced by ${tags.length} tags (remove them one by one or use --force)`);
        const { untagged } = await deleteImage(id, 'delete');
        return { untagged, deleted: [id] };
      },
      'images.tag': async ({ source, target }) => {
        const id = resolveId(source);
        const ref = parseReference(target);
        if (ref.digest) throw invalid(`cannot tag with a digest: ${target}`);
        const name = formatReference(ref);
        const before = meta.setRef(name, id, 'tag');
        if (before) event('untag', before, { name: familiarName(ref) });
        event('tag', id, { name: familiarName(ref) });
        return { ref: name };
      },
      'images.prune': async ({ all }) => prune(all),
      'system.df': async () => {
        const list = meta.listImages().map(summary);
        const totals = meta.totals();
        const b = budget();
        return {
          images: {
            count: list.length,
            active: list.filter((i) => i.containers > 0).length,
            size: list.reduce((n, i) => n + i.size, 0),
            reclaimable: list.filter((i) => i.containers === 0).reduce((n, i) => n + i.uniqueSize, 0),
          },
          blobs: totals.blobs,
          layers: totals.snapshots,
          budget: b,
          list,
        };
      },
      'system.prune': async ({ all }) => {
        const before = meta.totals();
        const pruned = await prune(all);
        const evicted = await enforceBudget();
        const after = meta.totals();
        return { deleted: [...pruned.deleted, ...evicted], spaceReclaimed: before.blobs + before.snapshots - after.blobs - after.snapshots };
      },
      'auth.login': async ({ server, username, password }) => {
        const domain = loginDomain(server);
        await client.checkLogin(domain, { username, password });
        await saveCredentials(domain, { username, password }, configDir());
        client.forget(domain);
        return { status: 'Login Succeeded' };
      },
      'auth.logout': async ({ server }) => {
        client.forget(loginDomain(server));
        return { removed: await removeCredentials(loginDomain(server), configDir()) };
      },
    },
  };
}
