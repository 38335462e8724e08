// `docker load`: images from a docker-archive tar (manifest.json, as `docker save` writes) or an OCI image
// layout (index.json). Each layer is read from the archive file twice: once to learn its blob digest, then
// through the content store's ingest (digest and size verified at commit), decompressed, hashed against the
// config's diff id and unpacked into a temp dir that becomes the snapshot only when everything checked out.
// Layers and snapshots already in the store are shared, exactly as a pull shares them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError, invalid } from '../api/errors';
import type { PullPhase } from './pull';
import type { ContentStore, Ingest } from './content';
import type { ImageMetadata, ImageRecord, LayerRecord, SnapshotRecord } from './metadata';
import { hostPlatform, normalizePlatform, selectManifest, type IndexEntry } from './platform';
import { chainIds } from './pull';
import { familiarName, formatReference, parseReference } from './reference';
import { MEDIA } from './registry-client';
import { TarIndex, type TarMember } from './archive-tar';
import { decompress, inheritParentMetadata, unpackLayer } from './unpack';
import { markTopDir } from './top-dir';

export interface LoadDeps {
  meta: ImageMetadata;
  content: ContentStore;
  /** Where snapshots live (one dir per chain id, the puller's layout). */
  snapshotDir(chainId: string): string;
  snapshotsDir: string;
  /** Holds keys against GC until the image record exists; delta -1 releases. */
  lease(keys: string[], delta: 1 | -1): void;
  event(action: string, id: string, attributes?: Record<string, string>): void;
}

export type LoadEvent =
  | { type: 'layer'; layer: string; phase: PullPhase; current: number; total: number }
  | { type: 'loaded'; name: string | null; id: string };

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: IndexEntry['platform'];
}

/** One image as the archive describes it: where its config and layers are, and the names it carries. */
interface ArchivedImage {
  config: TarMember;
  layers: TarMember[];
  /** Layer digests the archive claims (OCI layout), checked against the bytes. */
  claimed: (string | null)[];
  names: string[];
  /** The original manifest of an OCI layout, kept as is. */
  manifest: { data: Buffer; digest: string; mediaType: string } | null;
}

const sha256 = (data: Buffer) => `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
const blobPath = (digest: string) => {
  const [alg, hex] = digest.split(':');
  if (!alg || !hex || !/^[a-f0-9]{64}$/.test(hex)) throw invalid(`the archive names an invalid digest "${digest}"`);
  return `blobs/${alg}/${hex}`;
};

/** Media type of a stored layer blob, by its magic bytes. */
async function layerMediaType(index: TarIndex, member: TarMember): Promise<string> {
  const head = (await index.read({ ...member, size: Math.min(4, member.size) })).subarray(0, 4);
  if (head[0] === 0x1f && head[1] === 0x8b) return 'application/vnd.oci.image.layer.v1.tar+gzip';
  if (head.length === 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'application/vnd.oci.image.layer.v1.tar+zstd';
  return 'application/vnd.oci.image.layer.v1.tar';
}

async function fromDockerArchive(index: TarIndex): Promise<ArchivedImage[]> {
  const entries = await index.json<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }[]>('manifest.json', 'manifest');
  if (!Array.isArray(entries)) throw invalid('manifest.json in the archive is not a list of images');
  return entries.map((e, i) => {
    if (!e.Config || !Array.isArray(e.Layers)) throw invalid(`image ${i + 1} of manifest.json lacks Config or Layers`);
    return {
      config: index.member(e.Config, 'image config'),
      layers: e.Layers.map((l) => index.member(l, 'layer')),
      claimed: e.Layers.map(() => null),
      names: e.RepoTags ?? [],
      manifest: null,
    };
  });
}

async function fromOciLayout(index: TarIndex): Promise<ArchivedImage[]> {
  const top = await index.json<{ manifests?: Descriptor[] }>('index.json', 'OCI index');
  const out: ArchivedImage[] = [];
  const visit = async (desc: Descriptor, names: string[], depth: number): Promise<void> => {
    const data = await index.read(index.member(blobPath(desc.digest), 'manifest blob'));
    if (sha256(data) !== desc.digest) throw invalid(`manifest ${desc.digest} in the archive does not match its digest`);
    const json = JSON.parse(data.toString('utf8')) as { mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
    if (Array.isArray(json.manifests)) {
      if (depth > 2) throw invalid('the archive nests indexes too deeply');
      const chosen = selectManifest(json.manifests as IndexEntry[], normalizePlatform(hostPlatform()));
      if (!chosen) throw invalid(`index ${desc.digest} in the archive has no manifest for this platform`);
      return visit(json.manifests.find((m) => m.digest === chosen.digest)!, names, depth + 1);
    }
    if (!json.config || !Array.isArray(json.layers)) throw invalid(`manifest ${desc.digest} in the archive lacks config or layers`);
    out.push({
      config: index.member(blobPath(json.config.digest), 'image config'),
      layers: json.layers.map((l) => index.member(blobPath(l.digest), 'layer')),
      claimed: json.layers.map((l) => l.digest),
      names,
      manifest: { data, digest: desc.digest, mediaType: json.mediaType ?? desc.mediaType ?? MEDIA.ociManifest },
    });
  };
  for (const desc of top.manifests ?? []) {
    const a = desc.annotations ?? {};
    // containerd's full name first; the OCI ref name only when it is a whole reference, not a bare tag.
    const refName = a['org.opencontainers.image.ref.name'];
    const name = a['io.containerd.image.name'] ?? (refName && /[:/]/.test(refName) ? refName : undefined);
    await visit(desc, name ? [name] : [], 0);
  }
  return out;
}

/** The sha256 of a member's bytes, read once from the file. */
async function digestOf(index: TarIndex, member: TarMember): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of index.stream(member)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

/** Loads every image of the archive at `file`; progress and results go to `emit`. */
export async function loadArchive(file: string, deps: LoadDeps, emit: (e: LoadEvent) => void, signal?: AbortSignal): Promise<void> {
  const index = await TarIndex.open(file);
  let images: ArchivedImage[];
  if (index.has('manifest.json')) images = await fromDockerArchive(index);
  else if (index.has('index.json')) images = await fromOciLayout(index);
  else throw invalid('the archive is neither a docker-archive (manifest.json) nor an OCI image layout (index.json)');
  if (images.length === 0) throw invalid('the archive holds no images');
  for (const image of images) {
    if (signal?.aborted) throw new EngineError('cancelled', 'load cancelled');
    await loadImage(index, image, deps, emit, signal);
  }
}

async function loadImage(index: TarIndex, archived: ArchivedImage, deps: LoadDeps, emit: (e: LoadEvent) => void, signal?: AbortSignal): Promise<void> {
  const { meta, content } = deps;
  const configData = await index.read(archived.config);
  const configDigest = sha256(configData);
  let config: ImageRecord['config'];
  try {
    config = JSON.parse(configData.toString('utf8')) as ImageRecord['config'];
  } catch {
    throw invalid(`image config ${archived.config.name} in the archive is not valid JSON`);
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== archived.layers.length) throw invalid(`image config ${configDigest} lists ${diffIds.length} diff ids for ${archived.layers.length} layers in the archive`);
  const chains = chainIds(diffIds);
  const leased = [configDigest, ...chains];
  deps.lease(leased, 1);
  try {
    const layers: LayerRecord[] = [];
    const snapshots: SnapshotRecord[] = [];
    for (let i = 0; i < archived.layers.length; i++) {
      if (signal?.aborted) throw new EngineError('cancelled', 'load cancelled');
      const member = archived.layers[i]!;
      const digest = await digestOf(index, member);
      if (archived.claimed[i] && archived.claimed[i] !== digest) throw invalid(`layer ${archived.claimed[i]} in the archive does not match its digest (got ${digest})`);
      deps.lease([digest], 1);
      leased.push(digest);
      const mediaType = await layerMediaType(index, member);
      const layer: LayerRecord = { digest, diffId: diffIds[i]!, chainId: chains[i]!, mediaType, size: member.size };
      const snapshot = await ensureLayer(index, member, layer, i > 0 ? chains[i - 1]! : null, snapshots.map((s) => s.dir).reverse(), deps, emit);
      layers.push(layer);
      snapshots.push(snapshot);
    }

    await content.putBytes(configDigest, configData);
    meta.putBlob(configDigest, configData.length, 'application/vnd.oci.image.config.v1+json');
    // A docker-archive carries no manifest: write the OCI manifest a registry would have served.
    const manifest =
      archived.manifest ??
      (() => {
        const data = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MEDIA.ociManifest,
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configData.length },
            layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
          }),
        );
        return { data, digest: sha256(data), mediaType: MEDIA.ociManifest as string };
      })();
    await content.putBytes(manifest.digest, manifest.data);
    meta.putBlob(manifest.digest, manifest.data.length, manifest.mediaType);

    const now = Date.now();
    const host = hostPlatform();
    meta.putImage({
      id: configDigest,
      manifestDigest: manifest.digest,
      platform: normalizePlatform({ os: config.os ?? host.os, architecture: config.architecture ?? host.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
      config,
      layers,
      blobs: [manifest.digest, configDigest, ...layers.map((l) => l.digest)],
      size: snapshots.reduce((n, s) => n + s.size, 0),
      created: config.created ? Date.parse(config.created) || 0 : 0,
      pulledAt: now,
      lastUsed: now,
    });
    const tagged: string[] = [];
    for (const raw of archived.names) {
      let ref;
      try {
        ref = parseReference(raw);
      } catch {
        continue; // a name docker would not accept either: the image still loads, untagged
      }
      if (ref.digest) continue;
      const before = meta.setRef(formatReference(ref), configDigest, 'tag');
      if (before) deps.event('untag', before, { name: familiarName(ref) });
      tagged.push(familiarName(ref));
    }
    deps.event('load', configDigest, tagged.length ? { name: tagged.join(',') } : {});
    if (tagged.length === 0) emit({ type: 'loaded', name: null, id: configDigest });
    for (const name of tagged) emit({ type: 'loaded', name, id: configDigest });
  } finally {
    deps.lease(leased, -1);
  }
}

/** Stores the layer's blob and snapshot unless already there; verifies the diff id on the way. */
async function ensureLayer(
  index: TarIndex,
  member: TarMember,
  layer: LayerRecord,
  parent: string | null,
  lowers: string[],
  deps: LoadDeps,
  emit: (e: LoadEvent) => void,
): Promise<SnapshotRecord> {
  const { meta, content } = deps;
  const report = (phase: PullPhase, current: number) => emit({ type: 'layer', layer: layer.digest, phase, current, total: layer.size });
  const existing = meta.getSnapshot(layer.chainId);
  const haveSnapshot = !!existing && fs.existsSync(existing.dir);
  const haveBlob = content.has(layer.digest) && meta.hasBlob(layer.digest);
  if (haveSnapshot && haveBlob) {
    report('exists', layer.size);
    return existing;
  }
  report('extracting', 0);
  let ingest: Ingest | null = null;
  if (!haveBlob) {
    // A stale ingest of the same digest (an interrupted load or pull) is dropped: this one writes it whole.
    await (await content.openIngest(layer.digest, layer.size)).abort(true);
    ingest = await content.openIngest(layer.digest, layer.size);
  }
  if (!haveSnapshot) await markTopDir(deps.snapshotsDir);
  const tmp = haveSnapshot ? null : await fsp.mkdtemp(path.join(deps.snapshotsDir, '.tmp-'));
  try {
    let read = 0;
    let lastReport = 0;
    const open = ingest;
    async function* source() {
      for await (const chunk of index.stream(member)) {
        const b = chunk as Buffer;
        if (open) await open.write(b);
        read += b.length;
        if (Date.now() - lastReport > 100) {
          lastReport = Date.now();
          report('extracting', read);
        }
        yield b;
      }
    }
    let size = existing?.size ?? 0;
    let implicitDirs: string[] = [];
    let diffId: string;
    if (tmp) ({ size, implicitDirs, diffId } = await unpackLayer(source(), tmp, { layer: layer.digest, decompress: true }));
    else {
      const diffHash = crypto.createHash('sha256');
      for await (const c of decompress(source())) diffHash.update(c);
      diffId = `sha256:${diffHash.digest('hex')}`;
    }
    if (diffId !== layer.diffId) throw invalid(`layer ${member.name} in the archive unpacks to diff id ${diffId}, but the image config says ${layer.diffId}: the archive is corrupt`);
    report('verifying', layer.size);
    if (ingest) {
      await ingest.commit();
      ingest = null;
      meta.putBlob(layer.digest, layer.size, layer.mediaType);
    }
    if (!tmp) return existing!;
    if (implicitDirs.length) await inheritParentMetadata(tmp, implicitDirs, lowers);
    const dir = deps.snapshotDir(layer.chainId);
    // A dir without a record is a leftover of a crash between rename and insert.
    if (!meta.getSnapshot(layer.chainId)) await fsp.rm(dir, { recursive: true, force: true });
    await fsp.chmod(tmp, 0o755);
    try {
      await fsp.rename(tmp, dir);
    } catch (err) {
      // A pull of the same layer landed first: use its snapshot.
      const landed = meta.getSnapshot(layer.chainId);
      if (landed && fs.existsSync(landed.dir)) return landed;
      throw err;
    }
    const now = Date.now();
    const snapshot: SnapshotRecord = { chainId: layer.chainId, dir, diffId, parent, size, created: now, lastUsed: now };
    meta.putSnapshot(snapshot);
    report('done', layer.size);
    return snapshot;
  } finally {
    await ingest?.abort(true);
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  }
}
