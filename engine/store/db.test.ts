import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openStore, schemaVersion } from './db';
import { migrations } from './migrations';

describe('store migrations', () => {
  it('brings an empty database to the latest version, and reopening changes nothing', () => {
    const db = openStore(':memory:');
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(migrate(db, migrations)).toBe(migrations.length);
    db.close();
  });

  it('versions run 1..n without gaps', () => {
    migrations.forEach((m, i) => expect(m.version).toBe(i + 1));
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'gap', sql: '' }])).toThrow(/without gaps/);
  });

  it('applies only the migrations a database has not seen, each atomically', () => {
    const db = new Database(':memory:');
    const m1 = { version: 1, name: 'one', sql: 'CREATE TABLE a(x)' };
    migrate(db, [m1]);
    db.prepare('INSERT INTO a VALUES (1)').run();
    const bad = { version: 2, name: 'bad', sql: 'CREATE TABLE b(y); INSERT INTO nosuch VALUES (1);' };
    expect(() => migrate(db, [m1, bad])).toThrow(/nosuch/);
    // The failed migration left nothing behind and the version did not move.
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    migrate(db, [m1, { version: 2, name: 'good', sql: 'CREATE TABLE b(y)' }]);
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT x FROM a').get()).toEqual({ x: 1 });
  });

  it('refuses a store written by a newer engine', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db, migrations)).toThrow(/newer than this engine/);
  });

  it('opens in WAL mode', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-store-'));
    const db = openStore(path.join(dir, 'store.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    fs.rmSync(dir, { recursive: true });
  });
});
