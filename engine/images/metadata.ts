// The images tables (store migration 3): images, their refs (tags and repo digests), the containers using
// them, and per-blob / per-snapshot size and last use for the cache budget. Only this file writes them.
import type { Store } from '../store/db';
import type { ImageRunConfig } from '../context';
import type { Platform } from './platform';

export interface LayerRecord {
  digest: string;
  diffId: string;
  chainId: string;
  mediaType: string;
  /** Compressed size. */
  size: number;
}

export interface ImageRecord {
  id: string;
  manifestDigest: string;
  platform: Platform;
  /** The whole image config JSON (config, rootfs, history, created ...). */
  config: { config?: ImageRunConfig; created?: string; architecture?: string; os?: string; variant?: string; rootfs?: { diff_ids: string[] }; [k: string]: unknown };
  layers: LayerRecord[];
  /** Every blob this image holds on to: manifest(s), config, layers. */
  blobs: string[];
  size: number;
  created: number;
  pulledAt: number;
  lastUsed: number;
}

export interface SnapshotRecord {
  chainId: string;
  dir: string;
  diffId: string;
  parent: string | null;
  size: number;
  created: number;
  lastUsed: number;
}

interface ImageRow {
  id: string;
  manifest_digest: string;
  platform: string;
  config: string;
  layers: string;
  blobs: string;
  size: number;
  created: number;
  pulled_at: number;
  last_used: number;
}

/**
 * Docker writes null for an unset Cmd, Env, Labels...; to the engine (and its contract) they are absent. Done
 * on read, so pulled, loaded and already stored images all come out the same (the config blob is untouched).
 */
function withoutNulls(config: ImageRecord['config']): ImageRecord['config'] {
  const run = config.config as Record<string, unknown> | null | undefined;
  if (run === null) return { ...config, config: {} };
  if (!run || !Object.values(run).includes(null)) return config;
  return { ...config, config: Object.fromEntries(Object.entries(run).filter(([, v]) => v !== null)) as ImageRunConfig };
}

const toImage = (r: ImageRow): ImageRecord => ({
  id: r.id,
  manifestDigest: r.manifest_digest,
  platform: JSON.parse(r.platform) as Platform,
  config: withoutNulls(JSON.parse(r.config) as ImageRecord['config']),
  layers: JSON.parse(r.layers) as LayerRecord[],
  blobs: JSON.parse(r.blobs) as string[],
  size: r.size,
  created: r.created,
  pulledAt: r.pulled_at,
  lastUsed: r.last_used,
});

export type RefKind = 'tag' | 'digest';

export class ImageMetadata {
  constructor(private readonly db: Store) {}

  putImage(image: ImageRecord) {
    this.db
      .prepare(
        `INSERT INTO images(id, manifest_digest, platform, config, layers, blobs, size, created, pulled_at, last_used)
         VALUES (@id, @manifest_digest, @platform, @config, @layers, @blobs, @size, @created, @pulled_at, @last_used)
         ON CONFLICT(id) DO UPDATE SET pulled_at = excluded.pulled_at, last_used = excluded.last_used,
           blobs = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(images.blobs) UNION SELECT value FROM json_each(excluded.blobs)))`,
      )
      .run({
        id: image.id,
        manifest_digest: image.manifestDigest,
        platform: JSON.stringify(image.platform),
        config: JSON.stringify(image.config),
        layers: JSON.stringify(image.layers),
        blobs: JSON.stringify(image.blobs),
        size: image.size,
        created: image.created,
        pulled_at: image.pulledAt,
        last_used: image.lastUsed,
      });
  }

  getImage(id: string): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row && toImage(row);
  }

  /** Full ids starting with `prefix` (`sha256:` optional). */
  findByIdPrefix(prefix: string): string[] {
    const p = prefix.startsWith('sha256:') ? prefix : `sha256:${prefix}`;
    return (this.db.prepare("SELECT id FROM images WHERE substr(id, 1, ?) = ? LIMIT 2").all(p.length, p) as { id: string }[]).map((r) => r.id);
  }

  listImages(): ImageRecord[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY pulled_at DESC').all() as ImageRow[]).map(toImage);
  }

  countImages(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
  }

  deleteImage(id: string) {
    this.db.prepare('DELETE FROM image_refs WHERE image_id = ?').run(id);
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
  }

  touchImage(id: string, at = Date.now()) {
    this.db.prepare('UPDATE images SET last_used = ? WHERE id = ?').run(at, id);
    const image = this.getImage(id);
    if (image) {
      const chain = image.layers.map((l) => l.chainId);
      this.db.prepare(`UPDATE snapshots SET last_used = ? WHERE chain_id IN (SELECT value FROM json_each(?))`).run(at, JSON.stringify(chain));
      this.db.prepare(`UPDATE blobs SET last_used = ? WHERE digest IN (SELECT value FROM json_each(?))`).run(at, JSON.stringify(image.blobs));
    }
  }

  /** Points `ref` at `imageId`; returns the image it pointed at before, if another. */
  setRef(ref: string, imageId: string, kind: RefKind): string | undefined {
    const before = this.refTarget(ref);
    this.db.prepare('INSERT INTO image_refs(ref, image_id, kind) VALUES (?, ?, ?) ON CONFLICT(ref) DO UPDATE SET image_id = excluded.image_id').run(ref, imageId, kind);
    return before !== imageId ? before : undefined;
  }

  refTarget(ref: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM image_refs WHERE ref = ?').get(ref) as { image_id: string } | undefined)?.image_id;
  }

  deleteRef(ref: string): boolean {
    return this.db.prepare('DELETE FROM image_refs WHERE ref = ?').run(ref).changes > 0;
  }

  refsOf(imageId: string, kind?: RefKind): string[] {
    const rows = kind
      ? this.db.prepare('SELECT ref FROM image_refs WHERE image_id = ? AND kind = ? ORDER BY ref').all(imageId, kind)
      : this.db.prepare('SELECT ref FROM image_refs WHERE image_id = ? ORDER BY ref').all(imageId);
    return (rows as { ref: string }[]).map((r) => r.ref);
  }

  addUser(imageId: string, containerId: string) {
    this.db.prepare('INSERT OR IGNORE INTO image_users(image_id, container_id) VALUES (?, ?)').run(imageId, containerId);
  }

  removeUser(imageId: string, containerId: string) {
    this.db.prepare('DELETE FROM image_users WHERE image_id = ? AND container_id = ?').run(imageId, containerId);
  }

  usersOf(imageId: string): string[] {
    return (this.db.prepare('SELECT container_id FROM image_users WHERE image_id = ?').all(imageId) as { container_id: string }[]).map((r) => r.container_id);
  }

  putBlob(digest: string, size: number, mediaType: string, at = Date.now()) {
    this.db
      .prepare('INSERT INTO blobs(digest, size, media_type, created, last_used) VALUES (?, ?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET last_used = excluded.last_used')
      .run(digest, size, mediaType, at, at);
  }

  hasBlob(digest: string): boolean {
    return this.db.prepare('SELECT 1 FROM blobs WHERE digest = ?').get(digest) !== undefined;
  }

  putSnapshot(s: SnapshotRecord) {
    this.db
      .prepare('INSERT OR REPLACE INTO snapshots(chain_id, dir, diff_id, parent, size, created, last_used) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.chainId, s.dir, s.diffId, s.parent, s.size, s.created, s.lastUsed);
  }

  getSnapshot(chainId: string): SnapshotRecord | undefined {
    const r = this.db.prepare('SELECT * FROM snapshots WHERE chain_id = ?').get(chainId) as
      | { chain_id: string; dir: string; diff_id: string; parent: string | null; size: number; created: number; last_used: number }
      | undefined;
    return r && { chainId: r.chain_id, dir: r.dir, diffId: r.diff_id, parent: r.parent, size: r.size, created: r.created, lastUsed: r.last_used };
  }

  /** Snapshots no image references any more. */
  orphanSnapshots(): SnapshotRecord[] {
    const rows = this.db
      .prepare(
        `SELECT chain_id FROM snapshots WHERE chain_id NOT IN
           (SELECT json_extract(l.value, '$.chainId') FROM images, json_each(images.layers) AS l)`,
      )
      .all() as { chain_id: string }[];
    return rows.map((r) => this.getSnapshot(r.chain_id)!);
  }

  orphanBlobs(): { digest: string; size: number }[] {
    return this.db
      .prepare(`SELECT digest, size FROM blobs WHERE digest NOT IN (SELECT b.value FROM images, json_each(images.blobs) AS b)`)
      .all() as { digest: string; size: number }[];
  }

  deleteSnapshot(chainId: string) {
    this.db.prepare('DELETE FROM snapshots WHERE chain_id = ?').run(chainId);
  }

  deleteBlob(digest: string) {
    this.db.prepare('DELETE FROM blobs WHERE digest = ?').run(digest);
  }

  allSnapshotDirs(): string[] {
    return (this.db.prepare('SELECT dir FROM snapshots').all() as { dir: string }[]).map((r) => r.dir);
  }

  totals(): { blobs: number; snapshots: number } {
    const b = this.db.prepare('SELECT coalesce(sum(size), 0) AS n FROM blobs').get() as { n: number };
    const s = this.db.prepare('SELECT coalesce(sum(size), 0) AS n FROM snapshots').get() as { n: number };
    return { blobs: b.n, snapshots: s.n };
  }

  /** Bytes that only this image holds (snapshots and blobs no other image shares). */
  exclusiveSize(imageId: string): number {
    const row = this.db
      .prepare(
        `WITH mine AS (SELECT json_extract(l.value, '$.chainId') AS c FROM images, json_each(images.layers) AS l WHERE images.id = @id),
              others AS (SELECT json_extract(l.value, '$.chainId') AS c FROM images, json_each(images.layers) AS l WHERE images.id != @id),
              myb AS (SELECT b.value AS d FROM images, json_each(images.blobs) AS b WHERE images.id = @id),
              otherb AS (SELECT b.value AS d FROM images, json_each(images.blobs) AS b WHERE images.id != @id)
         SELECT (SELECT coalesce(sum(size), 0) FROM snapshots WHERE chain_id IN (SELECT c FROM mine) AND chain_id NOT IN (SELECT c FROM others))
              + (SELECT coalesce(sum(size), 0) FROM blobs WHERE digest IN (SELECT d FROM myb) AND digest NOT IN (SELECT d FROM otherb)) AS n`,
      )
      .get({ id: imageId }) as { n: number };
    return row.n;
  }
}
