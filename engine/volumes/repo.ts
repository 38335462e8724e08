// The volume tables: one row per volume, and one row per mount of each container (the container's resolved
// mount plan). A volume is in use exactly while some container_mounts row names it.
import type { Store } from '../store/db';
import type { PlannedMount } from './types';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
  created: number;
}

interface VolumeRow {
  name: string;
  driver: 'local';
  labels: string;
  options: string;
  anonymous: number;
  created: number;
}

const toVolume = (r: VolumeRow): VolumeRecord => ({
  name: r.name,
  driver: r.driver,
  labels: JSON.parse(r.labels) as Record<string, string>,
  options: JSON.parse(r.options) as Record<string, string>,
  anonymous: r.anonymous === 1,
  created: r.created,
});

export class VolumeRepo {
  constructor(private readonly db: Store) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  all(): VolumeRecord[] {
    return (this.db.prepare('SELECT * FROM volumes ORDER BY name').all() as VolumeRow[]).map(toVolume);
  }

  get(name: string): VolumeRecord | null {
    const row = this.db.prepare('SELECT * FROM volumes WHERE name = ?').get(name) as VolumeRow | undefined;
    return row ? toVolume(row) : null;
  }

  insert(v: VolumeRecord): void {
    this.db
      .prepare('INSERT INTO volumes(name, driver, labels, options, anonymous, created) VALUES (?, ?, ?, ?, ?, ?)')
      .run(v.name, v.driver, JSON.stringify(v.labels), JSON.stringify(v.options), v.anonymous ? 1 : 0, v.created);
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM volumes').get() as { n: number }).n;
  }

  /** Container ids whose mounts name the volume. */
  users(name: string): string[] {
    return (this.db.prepare('SELECT DISTINCT container_id FROM container_mounts WHERE volume = ? ORDER BY container_id').all(name) as { container_id: string }[]).map(
      (r) => r.container_id,
    );
  }

  /** Every volume name some container references. */
  usedNames(): Set<string> {
    return new Set((this.db.prepare('SELECT DISTINCT volume FROM container_mounts WHERE volume IS NOT NULL').all() as { volume: string }[]).map((r) => r.volume));
  }

  mounts(containerId: string): PlannedMount[] {
    const rows = this.db.prepare('SELECT spec FROM container_mounts WHERE container_id = ? ORDER BY rowid').all(containerId) as { spec: string }[];
    return rows.map((r) => JSON.parse(r.spec) as PlannedMount);
  }

  setMounts(containerId: string, mounts: PlannedMount[]): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM container_mounts WHERE container_id = ?').run(containerId);
      const insert = this.db.prepare('INSERT INTO container_mounts(container_id, destination, type, volume, spec) VALUES (?, ?, ?, ?, ?)');
      for (const m of mounts) insert.run(containerId, m.target, m.type, m.type === 'volume' ? m.source : null, JSON.stringify(m));
    });
  }

  /** Mount rows whose container is not in the containers table (a crash between recording mounts and storing the container). */
  dropOrphanMounts(): void {
    this.db.prepare('DELETE FROM container_mounts WHERE container_id NOT IN (SELECT id FROM containers)').run();
  }

  deleteMounts(containerId: string): void {
    this.db.prepare('DELETE FROM container_mounts WHERE container_id = ?').run(containerId);
  }
}
