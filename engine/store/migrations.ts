// Schema history. Append only: a released migration is never edited, a change is a new entry. The version a
// database is at lives in `PRAGMA user_version`; each migration runs in its own transaction.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'event log',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        type TEXT NOT NULL,
        action TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        attributes TEXT NOT NULL
      );
      CREATE INDEX events_time ON events(time);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'containers',
    sql: `
      CREATE TABLE containers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL,
        status TEXT NOT NULL,
        config TEXT NOT NULL,
        state TEXT NOT NULL
      );
    `,
  },
];
