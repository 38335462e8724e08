// A pull: resolve the manifest (index → platform), fetch the config, then every layer at once as one stream
// per layer: download → ingest (hash, size) → decompress → diff-id hash → unpack into a temp dir. Only when
// the blob digest and the diff id both check out are the blob and the snapshot committed (rename). Layers
// already unpacked are shared; concurrent pulls of the same layer wait for the one in flight.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EngineError, notFound, unavailable } from '../api/errors';
import type { ContentStore, Ingest } from './content';
import { DigestMismatchError } from './content';
import type { ImageMetadata, ImageRecord, LayerRecord, SnapshotRecord } from './metadata';
import { formatPlatform, hostPlatform, normalizePlatform, selectManifest, type IndexEntry, type Platform } from './platform';
import type { ImageRef } from './reference';
import { MEDIA, type FetchedManifest, type RegistryClient } from './registry-client';
import { inheritParentMetadata, unpackLayer } from './unpack';
import { markTopDir } from './top-dir';
import { warmUnpackWorkers } from './unpack-pool';
import { checkImageConfig, checkIndex, checkManifest } from './registry-json';

export type PullPhase = 'waiting' | 'downloading' | 'verifying' | 'extracting' | 'done' | 'exists';

export interface LayerProgress {
  /** The layer's blob digest. */
  layer: string;
  phase: PullPhase;
  current: number;
  total: number;
}

export interface PullOptions {
  platform?: Platform;
  signal?: AbortSignal;
  onProgress?(p: LayerProgress): void;
  /** Told, before anything is downloaded, every key (chain ids, blob digests, image id) this pull will hold. */
  lease?(keys: string[]): void;
}

export interface PullOutcome {
  image: ImageRecord;
  /** Digest of what the reference named: the index for multi-platform images, else the manifest. */
  digest: string;
  /** False when every layer was already here. */
  downloaded: boolean;
}

const MAX_CONFIG_BYTES = 16 << 20;
const DOWNLOAD_RETRIES = 3;
const PARALLEL_LAYERS = 4;
const PROGRESS_INTERVAL_MS = 100;

export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    out.push(out.length === 0 ? d : `sha256:${crypto.createHash('sha256').update(`${out[out.length - 1]} ${d}`).digest('hex')}`);
  }
  return out;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

function isLayerType(mediaType: string) {
  return /(image\.layer\.v1\.tar|image\.rootfs\.diff\.tar)/.test(mediaType) && !/foreign|nondistributable/.test(mediaType);
}

/** Runs at most `limit` tasks at once, in order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed;
  return results;
}

export class Puller {
  private readonly inflight = new Map<string, Promise<SnapshotRecord>>();
  private readonly inflightBlobs = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly client: RegistryClient,
    private readonly content: ContentStore,
    private readonly meta: ImageMetadata,
    /** Where unpacked layers live: one directory per chain id. */
    readonly snapshotsDir: string,
  ) {
    fs.mkdirSync(snapshotsDir, { recursive: true });
  }

  snapshotDirFor(chainId: string): string {
    return path.join(this.snapshotsDir, chainId.slice('sha256:'.length, 'sha256:'.length + 24));
  }

  async pull(ref: ImageRef, options: PullOptions = {}): Promise<PullOutcome> {
    const signal = options.signal;
    const want = normalizePlatform(options.platform ?? hostPlatform());
    const top = await this.client.getManifest(ref, ref.digest ?? ref.tag ?? 'latest', signal);
    let manifest: FetchedManifest = top;
    const manifestBlobs: FetchedManifest[] = [top];
    const name = `${ref.domain}/${ref.path}`;
    if (Array.isArray(top.json.manifests)) {
      const index = checkIndex(top.json, `the manifest list of ${name}`);
      const chosen = selectManifest(index.manifests as IndexEntry[], want);
      if (!chosen) throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries of ${ref.domain}/${ref.path}`);
      manifest = await this.client.getManifest(ref, chosen.digest, signal);
      if (chosen.size !== undefined && chosen.size !== manifest.data.length) throw unavailable(`manifest ${chosen.digest} has the wrong size`);
      manifestBlobs.push(manifest);
    }
    if (![MEDIA.dockerManifest, MEDIA.ociManifest].includes(manifest.mediaType as never) && !manifest.json.config) {
      throw new EngineError('unsupported', `unsupported manifest type ${manifest.mediaType} for ${ref.domain}/${ref.path}`);
    }
    const checked = checkManifest(manifest.json, `the manifest ${manifest.digest} of ${name}`);
    const configDesc: Descriptor = checked.config;
    const layerDescs: Descriptor[] = checked.layers;
    for (const l of layerDescs) {
      if (!isLayerType(l.mediaType)) throw new EngineError('unsupported', `layer ${l.digest} has unsupported media type ${l.mediaType}`);
    }

    if (layerDescs.some((l) => !this.content.has(l.digest))) warmUnpackWorkers(Math.min(layerDescs.length, PARALLEL_LAYERS));
    const configData = await this.fetchSmallBlob(ref, configDesc, signal);
    const config = checkImageConfig(configData, `the image config ${configDesc.digest} of ${name}`) as ImageRecord['config'];
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== layerDescs.length) throw unavailable(`image config ${configDesc.digest} lists ${diffIds.length} diff ids for ${layerDescs.length} layers`);
    const chains = chainIds(diffIds);
    const layers: LayerRecord[] = layerDescs.map((l, i) => ({ digest: l.digest, diffId: diffIds[i]!, chainId: chains[i]!, mediaType: l.mediaType, size: l.size }));

    options.lease?.([configDesc.digest, ...manifestBlobs.map((m) => m.digest), ...layers.flatMap((l) => [l.digest, l.chainId])]);
    let downloaded = false;
    // Layers download and unpack in parallel; each only waits for the ones below it just before it commits.
    const started: Promise<SnapshotRecord>[] = [];
    const snapshots = await mapLimit(layers, PARALLEL_LAYERS, async (layer, i) => {
      const lowers = async () => (await Promise.all(started.slice(0, i))).map((s) => s.dir).reverse();
      const work = this.ensureLayer(ref, layer, i > 0 ? chains[i - 1]! : null, lowers, options);
      started[i] = work.then((r) => r.snapshot);
      started[i].catch(() => {});
      const { snapshot, fresh } = await work;
      if (fresh) downloaded = true;
      return snapshot;
    });

    for (const m of manifestBlobs) {
      await this.content.putBytes(m.digest, m.data);
      this.meta.putBlob(m.digest, m.data.length, m.mediaType);
    }
    const now = Date.now();
    const image: ImageRecord = {
      id: configDesc.digest,
      manifestDigest: manifest.digest,
      platform: normalizePlatform({ os: config.os ?? want.os, architecture: config.architecture ?? want.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
      config,
      layers,
      blobs: [...manifestBlobs.map((m) => m.digest), configDesc.digest, ...layers.map((l) => l.digest)],
      size: snapshots.reduce((n, s) => n + s.size, 0),
      created: config.created ? Date.parse(config.created) || 0 : 0,
      pulledAt: now,
      lastUsed: now,
    };
    this.meta.putImage(image);
    return { image: this.meta.getImage(image.id)!, digest: top.digest, downloaded };
  }

  private async fetchSmallBlob(ref: ImageRef, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
    if (this.content.has(desc.digest)) return this.content.read(desc.digest);
    const running = this.inflightBlobs.get(desc.digest);
    if (running) return running;
    const work = this.downloadSmallBlob(ref, desc, signal).finally(() => this.inflightBlobs.delete(desc.digest));
    this.inflightBlobs.set(desc.digest, work);
    return work;
  }

  private async downloadSmallBlob(ref: ImageRef, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
    if (desc.size > MAX_CONFIG_BYTES) throw unavailable(`blob ${desc.digest} is too large for an image config (${desc.size} bytes)`);
    const { body } = await this.client.getBlob(ref, desc.digest, 0, signal);
    const data = Buffer.from(await new Response(body).arrayBuffer());
    const actual = `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
    if (actual !== desc.digest || data.length !== desc.size) throw new DigestMismatchError(`blob ${desc.digest}`, desc.digest, actual);
    await this.content.putBytes(desc.digest, data);
    this.meta.putBlob(desc.digest, data.length, desc.mediaType);
    return data;
  }

  private async ensureLayer(
    ref: ImageRef,
    layer: LayerRecord,
    parent: string | null,
    lowers: () => Promise<string[]>,
    options: PullOptions,
  ): Promise<{ snapshot: SnapshotRecord; fresh: boolean }> {
    const report = (phase: PullPhase, current: number) => options.onProgress?.({ layer: layer.digest, phase, current, total: layer.size });
    const existing = this.meta.getSnapshot(layer.chainId);
    if (existing && fs.existsSync(existing.dir)) {
      report('exists', layer.size);
      return { snapshot: existing, fresh: false };
    }
    const running = this.inflight.get(layer.chainId);
    if (running) {
      report('waiting', 0);
      const snapshot = await running;
      report('exists', layer.size);
      return { snapshot, fresh: false };
    }
    report('waiting', 0);
    const work = this.fetchAndUnpack(ref, layer, parent, lowers, options, report).finally(() => this.inflight.delete(layer.chainId));
    this.inflight.set(layer.chainId, work);
    const snapshot = await work;
    report('done', layer.size);
    return { snapshot, fresh: true };
  }

  private async fetchAndUnpack(
    ref: ImageRef,
    layer: LayerRecord,
    parent: string | null,
    lowers: () => Promise<string[]>,
    options: PullOptions,
    report: (p: PullPhase, n: number) => void,
  ): Promise<SnapshotRecord> {
    await markTopDir(this.snapshotsDir);
    const tmp = await fsp.mkdtemp(path.join(this.snapshotsDir, '.tmp-'));
    let ingest: Ingest | null = null;
    let discardIngest = false;
    try {
      let source: AsyncIterable<Buffer>;
      if (this.content.has(layer.digest)) {
        source = fs.createReadStream(this.content.blobPath(layer.digest), { highWaterMark: 1 << 20 });
      } else {
        ingest = await this.content.openIngest(layer.digest, layer.size);
        source = this.download(ref, layer, ingest, options.signal, report);
      }
      // Decompressed, hashed (diff id) and unpacked in an unpack worker; this thread downloads and hashes the blob.
      const { size, implicitDirs, diffId } = await unpackLayer(source, tmp, { layer: layer.digest, decompress: true });
      if (ingest) {
        report('verifying', layer.size);
        await ingest.commit().catch((err: unknown) => {
          discardIngest = true;
          throw err;
        });
        ingest = null;
        this.meta.putBlob(layer.digest, layer.size, layer.mediaType);
      }
      if (diffId !== layer.diffId) {
        throw new DigestMismatchError(`layer ${layer.digest}`, `diff id ${layer.diffId}`, diffId);
      }
      report('extracting', layer.size);
      if (implicitDirs.length) await inheritParentMetadata(tmp, implicitDirs, await lowers());
      const dir = this.snapshotDirFor(layer.chainId);
      // A dir without a record is a leftover of a crash between rename and insert.
      await fsp.rm(dir, { recursive: true, force: true });
      await fsp.chmod(tmp, 0o755);
      await fsp.rename(tmp, dir);
      const now = Date.now();
      const snapshot: SnapshotRecord = { chainId: layer.chainId, dir, diffId, parent, size, created: now, lastUsed: now };
      this.meta.putSnapshot(snapshot);
      return snapshot;
    } catch (caught) {
      // Keep a partial download for resume only when the network failed; bad bytes are never resumed from.
      const networkFailure = caught instanceof EngineError && (caught.code === 'unavailable' || caught.code === 'cancelled') && !(caught instanceof DigestMismatchError);
      if (!networkFailure) discardIngest = true;
      const err = caught instanceof EngineError ? caught : unavailable(`layer ${layer.digest} is not a valid tar stream: ${(caught as Error).message}; pull again`);
      await ingest?.abort(discardIngest);
      if (discardIngest && this.content.has(layer.digest) && err instanceof DigestMismatchError) {
        // The committed blob unpacked to the wrong diff id: the image config and the blob disagree.
        this.meta.deleteBlob(layer.digest);
        await this.content.remove(layer.digest);
      }
      throw err;
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  /** The blob's bytes: what an earlier interrupted pull left in the ingest, then the network with Range resume. */
  private async *download(ref: ImageRef, layer: LayerRecord, ingest: Ingest, signal: AbortSignal | undefined, report: (p: PullPhase, n: number) => void): AsyncGenerator<Buffer> {
    yield* ingest.replayExisting();
    let attempts = 0;
    let lastReport = 0;
    report('downloading', ingest.offset);
    while (ingest.offset < layer.size) {
      try {
        const { body, restarted } = await this.client.getBlob(ref, layer.digest, ingest.offset, signal);
        let skip = restarted ? ingest.offset : 0;
        for await (const chunk of Readable.fromWeb(body as WebReadableStream<Uint8Array>)) {
          let b = chunk as Buffer;
          if (skip > 0) {
            if (b.length <= skip) {
              skip -= b.length;
              continue;
            }
            b = b.subarray(skip);
            skip = 0;
          }
          await ingest.write(b);
          yield b;
          if (Date.now() - lastReport >= PROGRESS_INTERVAL_MS) {
            lastReport = Date.now();
            report('downloading', ingest.offset);
          }
        }
        if (ingest.offset < layer.size) throw unavailable(`connection closed after ${ingest.offset} of ${layer.size} bytes`);
      } catch (err) {
        if (signal?.aborted) throw new EngineError('cancelled', 'pull cancelled');
        if (err instanceof DigestMismatchError || (err instanceof EngineError && err.code !== 'unavailable')) throw err;
        if (++attempts > DOWNLOAD_RETRIES) {
          throw unavailable(`downloading ${layer.digest} from ${ref.domain} failed after ${DOWNLOAD_RETRIES} retries: ${(err as Error).message}; pull again to resume`);
        }
        await new Promise((r) => setTimeout(r, 200 * attempts));
      }
    }
    report('downloading', ingest.offset);
  }
}
