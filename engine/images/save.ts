// `docker save`: one tar holding several images, written as Docker 25+ writes it — an OCI image layout
// (oci-layout, index.json, blobs/sha256/*) plus the docker-archive files (manifest.json, repositories) that
// point into the same blobs. Layers go out as the blobs the store holds (compressed as pulled); `docker load`
// and our load decompress by magic bytes and check the diff ids. Blobs shared by several images go in once.
import fs from 'node:fs';
import tar from 'tar-stream';
import { EngineError } from '../api/errors';
import type { ContentStore } from './content';
import type { ImageMetadata } from './metadata';
import { familiarName, parseReference } from './reference';
import { MEDIA } from './registry-client';

export interface SaveTarget {
  id: string;
  /** Normalised references to record (`docker.io/library/busybox:latest`); empty when saved by id. */
  refs: string[];
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

const MTIME = new Date(0);
const hexOf = (digest: string) => digest.slice('sha256:'.length);
const entryName = (digest: string) => `blobs/sha256/${hexOf(digest)}`;

/** Splits `repo:tag` of a normalised reference. */
function repoAndTag(ref: string): [string, string] {
  const r = parseReference(ref);
  return [familiarName({ ...r, tag: undefined }), r.tag ?? 'latest'];
}

/** What goes in the archive for the given images; throws before a byte is written when a blob is missing. */
async function plan(targets: SaveTarget[], meta: ImageMetadata, content: ContentStore) {
  const blobs = new Map<string, string>(); // digest → file
  const index: object[] = [];
  const manifests: object[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const need = (digest: string, imageName: string) => {
    if (!content.has(digest)) throw new EngineError('not_found', `image ${imageName} is missing blob ${digest} in the store: pull it again before saving`);
    blobs.set(digest, content.blobPath(digest));
  };
  for (const t of targets) {
    const image = meta.getImage(t.id);
    if (!image) throw new EngineError('not_found', `No such image: ${t.id}`);
    const name = t.refs[0] ?? t.id;
    need(image.manifestDigest, name);
    const manifestData = await content.read(image.manifestDigest);
    const manifest = JSON.parse(manifestData.toString('utf8')) as { mediaType?: string; config: Descriptor; layers: Descriptor[] };
    need(manifest.config.digest, name);
    for (const l of manifest.layers) need(l.digest, name);
    const desc = { mediaType: manifest.mediaType ?? MEDIA.ociManifest, digest: image.manifestDigest, size: manifestData.length };
    if (t.refs.length === 0) index.push(desc);
    for (const ref of t.refs) {
      const [, tag] = repoAndTag(ref);
      index.push({ ...desc, annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': tag } });
    }
    manifests.push({
      Config: entryName(manifest.config.digest),
      RepoTags: t.refs.length ? t.refs.map((r) => familiarName(parseReference(r))) : null,
      Layers: manifest.layers.map((l) => entryName(l.digest)),
    });
    const top = image.layers[image.layers.length - 1];
    for (const ref of t.refs) {
      const [repo, tag] = repoAndTag(ref);
      repositories[repo] = { ...repositories[repo], [tag]: top ? hexOf(top.diffId) : hexOf(image.id) };
    }
  }
  return { blobs, index, manifests, repositories };
}

/** The archive as a byte stream, produced as fast as the reader takes it. */
export async function* saveArchive(targets: SaveTarget[], meta: ImageMetadata, content: ContentStore, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const p = await plan(targets, meta, content);
  const pack = tar.pack();
  const put = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, size: body.length, mode: 0o644, mtime: MTIME }, body, (err) => (err ? reject(err) : resolve())));
  const writing = (async () => {
    for (const [digest, file] of p.blobs) {
      if (signal?.aborted) throw new EngineError('cancelled', 'save cancelled');
      const size = fs.statSync(file).size;
      let entry!: ReturnType<typeof pack.entry>;
      const done = new Promise<void>((resolve, reject) => {
        entry = pack.entry({ name: entryName(digest), size, mode: 0o444, mtime: MTIME }, (err) => (err ? reject(err) : resolve()));
      });
      // Awaited below; a cancelled save rejects it while the writer is elsewhere.
      done.catch(() => undefined);
      entry.on('error', () => undefined);
      for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
        if (signal?.aborted || pack.destroyed) throw new EngineError('cancelled', 'save cancelled');
        if (!entry.write(chunk as Buffer)) {
          // 'close' too: a reader that went away destroys the pack, and the entry with it.
          await new Promise<void>((r) => {
            entry.once('drain', () => r());
            entry.once('close', () => r());
          });
        }
      }
      entry.end(Buffer.alloc(0));
      await done;
    }
    await put('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    await put('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: p.index })));
    await put('manifest.json', Buffer.from(JSON.stringify(p.manifests)));
    await put('repositories', Buffer.from(JSON.stringify(p.repositories)));
    pack.finalize();
  })();
  writing.catch((err: Error) => pack.destroy(err));
  try {
    for await (const chunk of pack as AsyncIterable<Buffer>) yield chunk;
    await writing;
  } finally {
    // The reader stopped early (cancel, disconnect): release the writer and the open blob files.
    if (!pack.destroyed) pack.destroy();
  }
}
