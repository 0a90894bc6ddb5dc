import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CleanDataset } from '../../src/core/domain.ts';
import { NotFoundError } from '../../src/core/errors.ts';
import type { NewModel } from '../../src/core/ports.ts';
import { CorruptRecordError, MIGRATIONS, migrate, openStore, readDatasetDir, schemaVersion, type SqliteStore } from '../../src/data/index.ts';
import { REAL_DIR } from '../support/realData.ts';
import { DEMO_DIR, NOTHING_DERIVED, cleanupTmp, customer, tmpDir } from './helpers.ts';

afterAll(cleanupTmp);


function dataset(ids: number[], over: Partial<CleanDataset> = {}): CleanDataset {
  return {
    customers: ids.map((id) => customer(id)),
    dropped: [{ id: 1, reason: 'zero_revenue' }],
    rowsIn: { 'market_file.csv': ids.length + 1 },
    customersIn: ids.length + 1,
    ...over,
  };
}

const newModel = (datasetVersion: number, over: Partial<NewModel> = {}): NewModel => ({
  datasetVersion,
  family: 'logistic',
  params: { C: 1 },
  cvAuc: 0.9,
  cvAucStd: 0.01,
  metrics: { brier: 0.1 },
  artifact: { kind: 'pipeline', coef: [0.5, -1.25] },
  ...over,
});

let store: SqliteStore;
const clock = () => new Date('2025-01-02T03:04:05.000Z');
beforeEach(async () => {
  await store?.close();
  store = openStore(':memory:', { now: clock });
});

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
  it('creates immutable versions and reads them back', async () => {
    const v1 = await store.datasets.create(dataset([215349, 215350, 215351]), 'real');
    expect(v1).toEqual({ version: 1, createdAt: '2025-01-02T03:04:05.000Z', source: 'real', customersIn: 4, customersKept: 3, positives: 2 });
    const v2 = await store.datasets.create(dataset([7]), 'second');
    expect(await store.datasets.get(1)).toEqual(v1);
    expect(await store.datasets.get(3)).toBeNull();
    expect(await store.datasets.latest()).toEqual(v2);
    expect((await store.datasets.list()).map((d) => d.version)).toEqual([1, 2]);
    expect(() => store.db.prepare('UPDATE customer SET profit = 0').run()).toThrow(/immutable/);
    expect(() => store.db.prepare('UPDATE dataset SET source = ?').run('x')).toThrow(/immutable/);
  });

  it('round-trips every customer field, including a null label and false consent', async () => {
    const odd = customer(42, { label: null, allowNotify: false, serviceType: 'премиум', popularCategory: 'Товары, «для» детей' });
    const v = (await store.datasets.create(dataset([1], { customers: [customer(5), odd, customer(3)] }), 's')).version;
    expect(await store.datasets.customer(v, 42)).toEqual(odd);
    expect(await store.datasets.customer(v, 43)).toBeNull();
    expect((await store.datasets.customers(v)).map((c) => c.id)).toEqual([3, 5, 42]);
    expect(await store.datasets.customers(99)).toEqual([]);
    expect(await store.datasets.dropped(v)).toEqual([{ id: 1, reason: 'zero_revenue' }]);
  });

  it('is all or nothing: a failing create leaves the store exactly as it was', async () => {
    await store.datasets.create(dataset([1, 2]), 'good');
    const before = store.db.prepare('SELECT (SELECT count(*) FROM dataset), (SELECT count(*) FROM customer), (SELECT count(*) FROM dropped_customer)').raw().get();
    // The duplicate id fails on the last insert, after the dataset row and the first customers went in.
    await expect(store.datasets.create(dataset([5, 6, 7, 6]), 'bad')).rejects.toThrow(/UNIQUE/);
    await expect(store.datasets.create(dataset([8], { customers: [customer(8, { profit: Number.NaN })] }), 'nan')).rejects.toThrow();
    expect(store.db.prepare('SELECT (SELECT count(*) FROM dataset), (SELECT count(*) FROM customer), (SELECT count(*) FROM dropped_customer)').raw().get()).toEqual(before);
    expect((await store.datasets.latest())?.source).toBe('good');
    // The failed attempts did not burn version numbers.
    expect((await store.datasets.create(dataset([9]), 'next')).version).toBe(2);
  });

  it('nearestIds: closest first, the smaller on ties, the id itself when known', async () => {
    const v = (await store.datasets.create(dataset([10, 20, 30, 40, 50]), 's')).version;
    expect(await store.datasets.nearestIds(v, 26, 3)).toEqual([30, 20, 40]);
    expect(await store.datasets.nearestIds(v, 25, 2)).toEqual([20, 30]);
    expect(await store.datasets.nearestIds(v, 30, 2)).toEqual([30, 20]);
    expect(await store.datasets.nearestIds(v, 1, 3)).toEqual([10, 20, 30]);
    expect(await store.datasets.nearestIds(v, 99, 10)).toEqual([50, 40, 30, 20, 10]);
    expect(await store.datasets.nearestIds(v, 25, 0)).toEqual([]);
    expect(await store.datasets.nearestIds(v + 1, 25, 3)).toEqual([]);
  });

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

describe('ModelRepository', () => {
  it('saves a model with its scores and activates it in one step; activate() rolls back', async () => {
    const d = (await store.datasets.create(dataset([3, 1, 2]), 's')).version;
    expect(await store.models.activeVersion()).toBeNull();
    const m1 = await store.models.saveAndActivate(newModel(d), [
      { id: 2, probability: 0.2 },
      { id: 1, probability: 0.9 },
    ], NOTHING_DERIVED);
    expect(m1).toEqual({ version: 1, datasetVersion: d, createdAt: '2025-01-02T03:04:05.000Z', family: 'logistic', params: { C: 1 }, cvAuc: 0.9, cvAucStd: 0.01, metrics: { brier: 0.1 }, scoredCustomers: 2 });
    const m2 = await store.models.saveAndActivate(newModel(d, { family: 'knn' }), [{ id: 1, probability: 0.5 }], NOTHING_DERIVED);
    expect(await store.models.activeVersion()).toBe(m2.version);
    expect((await store.models.list()).map((m) => [m.version, m.family, m.active])).toEqual([
      [1, 'logistic', false],
      [2, 'knn', true],
    ]);
    await store.models.activate(1);
    expect(await store.models.activeVersion()).toBe(1);
    await expect(store.models.activate(9)).rejects.toThrow(NotFoundError);
    expect(await store.models.activeVersion()).toBe(1);
    expect(await store.models.get(1)).toEqual({ meta: m1, artifact: { kind: 'pipeline', coef: [0.5, -1.25] } });
    expect(await store.models.get(7)).toBeNull();
    expect(await store.models.meta(1)).toEqual(m1);
    expect(await store.models.meta(7)).toBeNull();
    expect(await store.models.score(1, 1)).toBe(0.9);
    expect(await store.models.score(1, 3)).toBeNull();
    expect(await store.models.scores(1)).toEqual([
      { id: 1, probability: 0.9 },
      { id: 2, probability: 0.2 },
    ]);
  });

  it('a failing save leaves the previous model active and nothing half-written', async () => {
    const d = (await store.datasets.create(dataset([1, 2]), 's')).version;
    await store.models.saveAndActivate(newModel(d), [{ id: 1, probability: 0.3 }], NOTHING_DERIVED);
    await expect(store.models.saveAndActivate(newModel(d), [{ id: 1, probability: 0.3 }, { id: 2, probability: 1.7 }], NOTHING_DERIVED)).rejects.toThrow(/CHECK/);
    await expect(store.models.saveAndActivate(newModel(d), [{ id: 1, probability: 0.3 }, { id: 1, probability: 0.4 }], NOTHING_DERIVED)).rejects.toThrow(/UNIQUE/);
    await expect(store.models.saveAndActivate(newModel(99), [], NOTHING_DERIVED)).rejects.toThrow(NotFoundError);
    await expect(store.models.saveAndActivate(newModel(d, { artifact: undefined }), [], NOTHING_DERIVED)).rejects.toThrow(/JSON/);
    expect(await store.models.activeVersion()).toBe(1);
    expect(await store.models.list()).toHaveLength(1);
    expect(store.db.prepare('SELECT count(*) FROM score').pluck().get()).toBe(1);
  });

  it('detects a corrupted artifact: get() throws CorruptRecordError (code CORRUPT_RECORD)', async () => {
    const d = (await store.datasets.create(dataset([1]), 's')).version;
    const m = await store.models.saveAndActivate(newModel(d), [], NOTHING_DERIVED);
    store.db.exec('DROP TRIGGER model_immutable');
    store.db.prepare('UPDATE model SET artifact = ? WHERE version = ?').run('{"coef": [0.5, ', m.version);
    const err = await store.models.get(m.version).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptRecordError);
    expect((err as CorruptRecordError).code).toBe('CORRUPT_RECORD');
    expect((await store.models.meta(m.version))?.version).toBe(m.version); // metadata stays readable
    // Listing does not read artifacts, so the model stays visible (and can be replaced).
    expect(await store.models.list()).toHaveLength(1);
  });
});

for (const [name, dir] of [['demo', DEMO_DIR], ['real', REAL_DIR]] as const) {
  describe.skipIf(dir === null)(`with the ${name} data set`, () => {
    it('stores and reads back the cleaned customers exactly', async () => {
      const ds = await readDatasetDir(dir!);
      const v = await store.datasets.create(ds, dir!);
      const positives = ds.customers.filter((c) => c.label === 1).length;
      expect(v).toMatchObject({ customersIn: ds.customersIn, customersKept: ds.customers.length, positives });
      expect(ds.customers.length).toBeLessThan(ds.customersIn); // cleaning dropped some, so the counts differ
      expect(await store.datasets.customers(v.version)).toEqual([...ds.customers].sort((a, b) => a.id - b.id));
      expect(await store.datasets.dropped(v.version)).toEqual(ds.dropped);
      const ids = ds.customers.map((c) => c.id).sort((a, b) => a - b);
      expect(await store.datasets.nearestIds(v.version, ids[0] - 1, 3)).toEqual(ids.slice(0, 3));
      // The outlier is dropped, so it is not stored, and its kept neighbours are the nearest ids.
      const outlier = ds.dropped.find((d) => d.reason === 'revenue_outlier')!.id;
      expect(ids).toEqual(expect.arrayContaining([outlier - 1, outlier + 1]));
      expect(ids).not.toContain(outlier);
      expect(await store.datasets.nearestIds(v.version, outlier, 2)).toEqual([outlier - 1, outlier + 1]);
    });
  });
}
