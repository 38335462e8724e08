// The engine's SQLite store: one file under the data root, WAL so readers never block the writer, versioned
// migrations applied on open. Repositories in this folder own their tables; nothing else writes SQL.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { migrations as defaultMigrations, type Migration } from './migrations';

export type Store = Db;

export function openStore(file: string, migrations: Migration[] = defaultMigrations): Store {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across a process crash (SIGKILL) in WAL mode; only power loss may drop the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

export function schemaVersion(db: Store): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Store, migrations: Migration[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration versions must run 1..n without gaps; found ${m.version} at ${i + 1}`);
  });
  const current = schemaVersion(db);
  if (current > sorted.length) {
    throw new Error(`the store is at schema version ${current}, newer than this engine knows (${sorted.length}): upgrade Flying Dutchman`);
  }
  for (const m of sorted.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return schemaVersion(db);
}
