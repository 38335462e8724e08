// The containers table: one row per container, config and state as JSON. Lookup accepts a full id, a name or
// an unambiguous id prefix, as docker does.
import type { Store } from '../store/db';
import { EngineError, notFound } from '../api/errors';
import { ContainerCreateInput } from '../api/containers';
import type { ContainerRecord } from './record';

interface Row {
  id: string;
  name: string;
  created: number;
  status: string;
  config: string;
  state: string;
}

// Parsing the stored config fills defaults for keys added after the row was written.
function fromRow(row: Row): ContainerRecord {
  const config = JSON.parse(row.config) as { config: ContainerRecord['config']; resolved: ContainerRecord['resolved'] };
  return { id: row.id, name: row.name, created: row.created, config: ContainerCreateInput.parse(config.config), resolved: config.resolved, state: JSON.parse(row.state) };
}

export class ContainerRepo {
  constructor(private readonly db: Store) {}

  insert(rec: ContainerRecord) {
    try {
      this.db
        .prepare('INSERT INTO containers(id, name, created, status, config, state) VALUES (?, ?, ?, ?, ?, ?)')
        .run(rec.id, rec.name, rec.created, rec.state.status, JSON.stringify({ config: rec.config, resolved: rec.resolved }), JSON.stringify(rec.state));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new EngineError('conflict', `The container name "/${rec.name}" is already in use: remove that container or choose another --name`);
      }
      throw err;
    }
  }

  saveState(rec: ContainerRecord) {
    this.db.prepare('UPDATE containers SET status = ?, state = ? WHERE id = ?').run(rec.state.status, JSON.stringify(rec.state), rec.id);
  }

  /** A new name; the stored config carries the name too. */
  rename(rec: ContainerRecord) {
    const row = this.db.prepare('SELECT config FROM containers WHERE id = ?').get(rec.id) as { config: string } | undefined;
    if (!row) return;
    const stored = JSON.parse(row.config) as { config: Record<string, unknown> };
    stored.config = { ...stored.config, name: rec.name };
    this.db.prepare('UPDATE containers SET name = ?, config = ? WHERE id = ?').run(rec.name, JSON.stringify(stored), rec.id);
  }

  /** Persists a changed config (network connect/disconnect of a stopped container). */
  saveConfig(rec: ContainerRecord) {
    this.db.prepare('UPDATE containers SET config = ? WHERE id = ?').run(JSON.stringify({ config: rec.config, resolved: rec.resolved }), rec.id);
  }

  delete(id: string) {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }

  get(id: string): ContainerRecord | null {
    const row = this.db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  nameTaken(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM containers WHERE name = ?').get(name) !== undefined;
  }

  all(): ContainerRecord[] {
    return (this.db.prepare('SELECT * FROM containers ORDER BY created DESC, rowid DESC').all() as Row[]).map(fromRow);
  }

  countByStatus(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM containers GROUP BY status').all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Full id, then exact name, then a unique id prefix. */
  find(ref: string): ContainerRecord {
    const name = ref.replace(/^\//, '');
    const exact = (this.db.prepare('SELECT * FROM containers WHERE id = ? OR name = ?').get(ref, name) as Row | undefined) ?? null;
    if (exact) return fromRow(exact);
    if (/^[0-9a-f]+$/.test(ref)) {
      const rows = this.db.prepare("SELECT * FROM containers WHERE id LIKE ? || '%' LIMIT 2").all(ref) as Row[];
      if (rows.length === 1) return fromRow(rows[0]!);
      if (rows.length > 1) throw new EngineError('invalid', `multiple containers found with the id prefix "${ref}": use more characters of the id`);
    }
    throw notFound(`No such container: ${ref}`);
  }
}
