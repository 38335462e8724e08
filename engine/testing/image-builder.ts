// Builds OCI / Docker v2 images in memory from file trees and pushes them to a registry over the
// distribution HTTP API. Tests use it to make exactly the layers they need (whiteouts, hostile paths, zstd).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import tar from 'tar-stream';

export interface TarEntry {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Symlink or hardlink target. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX records, e.g. `SCHILY.xattr.user.x`. */
  pax?: Record<string, string>;
  mtime?: Date;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface BuiltBlob {
  digest: string;
  size: number;
  data: Buffer;
  mediaType: string;
}

export interface BuiltLayer extends BuiltBlob {
  diffId: string;
}

export const sha256 = (data: Buffer | string) => `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;

export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? (e.content !== undefined ? 'file' : 'directory');
    const body = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        {
          name: e.path,
          type,
          mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
          uid: e.uid ?? 0,
          gid: e.gid ?? 0,
          linkname: e.linkname,
          devmajor: e.devmajor,
          devminor: e.devminor,
          pax: e.pax,
          mtime: e.mtime ?? new Date(1_700_000_000_000),
          size: body?.length ?? 0,
        },
        body ?? '',
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function compress(data: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return zlib.gzipSync(data, { level: 1 });
  if (compression === 'zstd') {
    const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr}`);
    return r.stdout;
  }
  return data;
}

export type ImageFormat = 'oci' | 'docker';

const MT = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.oci.image.layer.v1.tar' },
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: { gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip', zstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd', none: 'application/vnd.docker.image.rootfs.diff.tar' },
  },
} as const;

export async function buildLayer(entries: TarEntry[] | Buffer, compression: Compression = 'gzip', format: ImageFormat = 'oci'): Promise<BuiltLayer> {
  const raw = Buffer.isBuffer(entries) ? entries : await tarOf(entries);
  const data = compress(raw, compression);
  return { digest: sha256(data), size: data.length, data, diffId: sha256(raw), mediaType: MT[format].layer[compression] };
}

export interface ImageSpec {
  layers: (TarEntry[] | BuiltLayer)[];
  compression?: Compression;
  format?: ImageFormat;
  os?: string;
  architecture?: string;
  variant?: string;
  config?: Record<string, unknown>;
}

export interface BuiltImage {
  config: BuiltBlob;
  layers: BuiltLayer[];
  manifest: BuiltBlob;
  platform: { os: string; architecture: string; variant?: string };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const format = spec.format ?? 'oci';
  const layers: BuiltLayer[] = [];
  for (const l of spec.layers) layers.push(Array.isArray(l) ? await buildLayer(l, spec.compression ?? 'gzip', format) : l);
  const platform = { os: spec.os ?? 'linux', architecture: spec.architecture ?? 'amd64', ...(spec.variant ? { variant: spec.variant } : {}) };
  const configData = json({
    created: '2024-01-01T00:00:00Z',
    ...platform,
    config: spec.config ?? { Cmd: ['/bin/sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'fd image-builder' })),
  });
  const config: BuiltBlob = { digest: sha256(configData), size: configData.length, data: configData, mediaType: MT[format].config };
  const manifestData = json({
    schemaVersion: 2,
    mediaType: MT[format].manifest,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  });
  return { config, layers, manifest: { digest: sha256(manifestData), size: manifestData.length, data: manifestData, mediaType: MT[format].manifest }, platform };
}

export function buildIndex(images: BuiltImage[], format: ImageFormat = 'oci', extra: object[] = []): BuiltBlob {
  const data = json({
    schemaVersion: 2,
    mediaType: MT[format].index,
    manifests: [...images.map((i) => ({ mediaType: i.manifest.mediaType, digest: i.manifest.digest, size: i.manifest.size, platform: i.platform })), ...extra],
  });
  return { digest: sha256(data), size: data.length, data, mediaType: MT[format].index };
}

export interface PushTarget {
  url: string;
  pushAuth(repo: string): Promise<string | undefined>;
}

async function check(res: Response, what: string) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

export async function pushBlob(target: PushTarget, repo: string, blob: BuiltBlob): Promise<void> {
  const auth = await target.pushAuth(repo);
  const headers: Record<string, string> = auth ? { authorization: auth } : {};
  const head = await fetch(`${target.url}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD', headers });
  if (head.ok) return;
  const start = await fetch(`${target.url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  const location = start.headers.get('location');
  await check(start, `start upload to ${repo}`);
  const put = new URL(location!, target.url);
  put.searchParams.set('digest', blob.digest);
  await check(await fetch(put, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob.data) }), `upload ${blob.digest}`);
}

export async function pushManifest(target: PushTarget, repo: string, reference: string, manifest: BuiltBlob): Promise<void> {
  const auth = await target.pushAuth(repo);
  await check(
    await fetch(`${target.url}/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...(auth ? { authorization: auth } : {}), 'content-type': manifest.mediaType },
      body: new Uint8Array(manifest.data),
    }),
    `push manifest ${repo}:${reference}`,
  );
}

/** Pushes blobs, then the manifest under `tag` (and by digest). */
export async function pushImage(target: PushTarget, repo: string, tag: string, image: BuiltImage): Promise<void> {
  await Promise.all(image.layers.map((l) => pushBlob(target, repo, l)));
  await pushBlob(target, repo, image.config);
  await pushManifest(target, repo, tag, image.manifest);
}

/** Pushes every platform image by digest, then the index under `tag`. */
export async function pushIndex(target: PushTarget, repo: string, tag: string, images: BuiltImage[], index: BuiltBlob): Promise<void> {
  for (const image of images) await pushImage(target, repo, image.manifest.digest, image);
  await pushManifest(target, repo, tag, index);
}

/** A busybox rootfs layer from Debian's busybox-static: /bin/busybox plus a symlink per applet. */
export async function busyboxLayer(compression: Compression = 'gzip'): Promise<BuiltLayer> {
  const bin = fs.readFileSync('/bin/busybox');
  const list = spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => a && a !== 'busybox');
  const entries: TarEntry[] = [
    { path: 'bin/', type: 'directory' },
    { path: 'bin/busybox', content: bin, mode: 0o755 },
    ...list.map((a) => ({ path: `bin/${a}`, type: 'symlink' as const, linkname: 'busybox' })),
    { path: 'etc/', type: 'directory' },
    { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { path: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    { path: 'tmp/', type: 'directory', mode: 0o1777 },
    { path: 'root/', type: 'directory', mode: 0o700 },
  ];
  return buildLayer(entries, compression);
}

export async function busyboxImage(): Promise<BuiltImage> {
  return buildImage({ layers: [await busyboxLayer()], config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] } });
}
