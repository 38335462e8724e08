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
  {
    version: 3,
    name: 'images',
    sql: `
      CREATE TABLE images (
        id TEXT PRIMARY KEY,
        manifest_digest TEXT NOT NULL,
        platform TEXT NOT NULL,
        config TEXT NOT NULL,
        layers TEXT NOT NULL,
        blobs TEXT NOT NULL,
        size INTEGER NOT NULL,
        created INTEGER NOT NULL,
        pulled_at INTEGER NOT NULL,
        last_used INTEGER NOT NULL
      );
      CREATE TABLE image_refs (
        ref TEXT PRIMARY KEY,
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        kind TEXT NOT NULL
      );
      CREATE INDEX image_refs_image ON image_refs(image_id);
      CREATE TABLE image_users (
        image_id TEXT NOT NULL,
        container_id TEXT NOT NULL,
        PRIMARY KEY (image_id, container_id)
      );
      CREATE TABLE blobs (
        digest TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        created INTEGER NOT NULL,
        last_used INTEGER NOT NULL
      );
      CREATE TABLE snapshots (
        chain_id TEXT PRIMARY KEY,
        dir TEXT NOT NULL,
        diff_id TEXT NOT NULL,
        parent TEXT,
        size INTEGER NOT NULL,
        created INTEGER NOT NULL,
        last_used INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'networks',
    sql: `
      CREATE TABLE networks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        bridge TEXT NOT NULL UNIQUE,
        subnet TEXT NOT NULL,
        gateway TEXT NOT NULL,
        internal INTEGER NOT NULL,
        dns INTEGER NOT NULL,
        labels TEXT NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE TABLE network_sandboxes (
        container_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        mode TEXT NOT NULL,
        netns TEXT,
        hostname TEXT NOT NULL,
        ports TEXT NOT NULL,
        resolv_conf TEXT NOT NULL,
        hosts TEXT NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE TABLE network_endpoints (
        container_id TEXT NOT NULL REFERENCES network_sandboxes(container_id) ON DELETE CASCADE,
        network_id TEXT NOT NULL REFERENCES networks(id),
        ip TEXT NOT NULL,
        mac TEXT NOT NULL,
        interface TEXT NOT NULL,
        aliases TEXT NOT NULL,
        PRIMARY KEY (container_id, network_id),
        UNIQUE (network_id, ip)
      );
    `,
  },
  {
    version: 5,
    name: 'volumes',
    sql: `
      CREATE TABLE volumes (
        name TEXT PRIMARY KEY,
        driver TEXT NOT NULL,
        labels TEXT NOT NULL,
        options TEXT NOT NULL,
        anonymous INTEGER NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE TABLE container_mounts (
        container_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        type TEXT NOT NULL,
        volume TEXT,
        spec TEXT NOT NULL,
        PRIMARY KEY (container_id, destination)
      );
      CREATE INDEX container_mounts_volume ON container_mounts(volume);
    `,
  },
];
