/**
 * What only the SQLite store has: the file it opens, its pragmas, PRAGMA user_version migrations and
 * its query plans. Every port behaviour is asserted once for both engines in storeContract.test.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openStore, schemaVersion, type SqliteStore } from '../../src/data/index.ts';
import { cleanupTmp, dataset, tmpDir } from './helpers.ts';

afterAll(cleanupTmp);

describe('openStore and migrations', () => {
  it('creates parent folders, uses WAL, and enforces foreign keys', async () => {
    const file = path.join(tmpDir(), 'deep', 'er', 'store.db');
    const s = openStore(file);
    expect(existsSync(file)).toBe(true);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(schemaVersion(s.db)).toBe(MIGRATIONS.length);
    await s.close();
  });

  it('is idempotent on reopen and keeps the data', async () => {
    const file = path.join(tmpDir(), 'store.db');
    const a = openStore(file);
    await a.datasets.create(dataset([10, 11]), 'first');
    await a.close();
    const b = openStore(file);
    expect(schemaVersion(b.db)).toBe(MIGRATIONS.length);
    expect(migrate(b.db)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    expect((await b.datasets.list()).map((d) => d.source)).toEqual(['first']);
    await b.close();
  });

  it('applies a new migration once, and a failing one leaves the database as it was', async () => {
    const db = new Database(':memory:');
    migrate(db);
    const withNew = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'subscribers', up: 'CREATE TABLE subscriber (chat_id INTEGER PRIMARY KEY)' }];
    expect(migrate(db, withNew)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length + 1 });
    expect(migrate(db, withNew).to).toBe(MIGRATIONS.length + 1);
    const failing = [
      ...withNew,
      {
        version: withNew.length + 1,
        name: 'broken',
        up: (d: Database.Database) => {
          d.exec('CREATE TABLE half_done (x)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, failing)).toThrow('boom');
    expect(schemaVersion(db)).toBe(withNew.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database written by newer code, and a misnumbered migration list', async () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db)).toThrow(/newer/);
    expect(() => migrate(new Database(':memory:'), [{ version: 2, name: 'gap', up: '' }])).toThrow(/expected 1/);
  });
});

describe('DatasetRepository', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openStore(':memory:');
  });
  afterEach(() => store.close());

  it('point lookups and nearestIds use the primary key, never a table scan', async () => {
    const plan = (sql: string) =>
      store.db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1))
        .map((r) => (r as { detail: string }).detail)
        .join('; ');
    for (const sql of [
      'SELECT * FROM customer WHERE version = ? AND id = ?',
      'SELECT id FROM customer WHERE version = ? AND id >= ? ORDER BY id LIMIT ?',
      'SELECT id FROM customer WHERE version = ? AND id < ? ORDER BY id DESC LIMIT ?',
      'SELECT * FROM customer WHERE version = ? ORDER BY id',
      'SELECT probability FROM score WHERE model_version = ? AND id = ?',
      'SELECT id, probability FROM score WHERE model_version = ? ORDER BY id',
    ]) {
      const p = plan(sql);
      expect(p, sql).toMatch(/USING PRIMARY KEY/);
      expect(p, sql).not.toMatch(/SCAN|TEMP B-TREE/);
    }
  });
});
