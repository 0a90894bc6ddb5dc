/**
 * One contract for every store engine: each port method of the Store, run against SQLite
 * (a file per test) and PostgreSQL (a fresh copy of a migrated database per test). A behaviour the
 * core relies on is asserted here once, so an engine cannot drift from the other unnoticed.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Customer } from '../../src/core/domain.ts';
import { NotFoundError } from '../../src/core/errors.ts';
import type { CampaignMember, CampaignPlan, CustomerExplanation, DerivedTables, NewDigestRun, NewModel, Outreach, Store } from '../../src/core/ports.ts';
import type { Reply } from '../../src/core/reply.ts';
import { SEGMENT_CODES, buildSegmentTables, segmentCutoffs, type SegmentSettings } from '../../src/core/segments.ts';
import { CorruptRecordError, migratePg, openPgStore, openStore, readDatasetDir } from '../../src/data/index.ts';
import { hasPostgres, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { REAL_DIR } from '../support/realData.ts';
import { DEMO_DIR, NOTHING_DERIVED, cleanupTmp, customer, dataset, tmpDir } from './helpers.ts';

afterAll(cleanupTmp);

/** One engine's store for one test, with what the contract needs beyond the ports. */
interface Harness {
  store: Store;
  /** Another store on the same database: a second process or replica. */
  another(): Promise<Store>;
  /** Raw SQL on the store's database; rows as arrays. */
  sql(text: string): Promise<unknown[][]>;
  /** Removes an immutability trigger, to damage a row as a disk or a hand edit could. */
  dropTrigger(name: string, table: string): Promise<void>;
}

interface Engine {
  name: string;
  available: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(now: () => Date): Promise<Harness>;
}

const sqlite: Engine = {
  name: 'SQLite',
  available: true,
  setup: async () => {},
  teardown: async () => {},
  async open(now) {
    const file = join(tmpDir('contract-'), 'retention.db');
    const s = openStore(file, { now });
    return {
      store: s,
      another: async () => openStore(file, { now }),
      sql: async (text) => {
        const st = s.db.prepare(text);
        if (st.reader) return st.raw().all() as unknown[][];
        st.run();
        return [];
      },
      dropTrigger: async (name) => void s.db.exec(`DROP TRIGGER ${name}`),
    };
  },
};

let cluster: TestPostgres | null = null;
let template = '';
const postgres: Engine = {
  name: 'PostgreSQL',
  available: hasPostgres,
  async setup() {
    cluster = await startPostgres();
    template = await cluster.createDatabase();
    const pool = new pg.Pool({ connectionString: template, max: 1 });
    await migratePg(pool);
    await pool.end();
  },
  teardown: async () => cluster?.stop(),
  async open(now) {
    const url = await cluster!.createDatabase(template);
    const s = await openPgStore(url, { now, pool: { max: 4 } });
    return {
      store: s,
      another: () => openPgStore(url, { now, pool: { max: 4 } }),
      sql: async (text) => (await s.pool.query({ text, rowMode: 'array' })).rows,
      dropTrigger: async (name, table) => void (await s.pool.query(`DROP TRIGGER ${name} ON ${table}`)),
    };
  },
};

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

/** Not NOTHING_DERIVED's settings, so a model saved with nothing derived has no set for these. */
const SETTINGS: SegmentSettings = { highRisk: 0.6, mediumRisk: 0.3, promoShare: 0.5 };

/** Customers with varied profit, behaviour and category, and a probability each. */
function portfolio(n: number): { customers: Customer[]; probability: number[] } {
  const categories = ['Кухонная посуда', 'Мелкая бытовая техника и электроника', 'Товары для детей', 'Косметика и аксесуары'];
  const customers = Array.from({ length: n }, (_, i) =>
    customer(100 + i, {
      profit: 1 + ((i * 37) % 11) / 2,
      promoShare: (i % 4) / 4 + 0.1,
      unpaidItems: i % 7,
      categoriesPerVisit: 1 + (i % 5),
      pagesPerVisit: 1 + (i % 9),
      revenueCurrent: 4000 + ((i * 53) % 2000),
      popularCategory: categories[i % categories.length],
    }),
  );
  return { customers, probability: customers.map((_, i) => ((i * 29) % 100) / 100) };
}

function derivedFor(customers: Customer[], probability: number[], settings = SETTINGS, explanations: CustomerExplanation[] = []): DerivedTables {
  return { segments: buildSegmentTables(customers, (i) => probability[i], segmentCutoffs(customers), settings), explanations };
}

const T0 = '2026-12-01T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

for (const engine of [sqlite, postgres]) {
  describe.skipIf(!engine.available)(`${engine.name} store contract`, () => {
    let h: Harness;
    let store: Store;
    let clock: Date;
    const opened: Store[] = [];
    const another = async () => {
      const s = await h.another();
      opened.push(s);
      return s;
    };

    beforeAll(() => engine.setup());
    afterAll(() => engine.teardown());
    beforeEach(async () => {
      clock = new Date('2025-01-02T03:04:05.000Z');
      h = await engine.open(() => clock);
      store = h.store;
      opened.push(store);
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    const count = async (table: string) => Number((await h.sql(`SELECT count(*) FROM ${table}`))[0][0]);

    describe('DatasetRepository', () => {
      it('creates versions and reads them back; versions are immutable', async () => {
        const v1 = await store.datasets.create(dataset([215349, 215350, 215351]), 'real');
        expect(v1).toEqual({ version: 1, createdAt: '2025-01-02T03:04:05.000Z', source: 'real', customersIn: 4, customersKept: 3, positives: 2 });
        const v2 = await store.datasets.create(dataset([7]), 'second');
        expect(await store.datasets.get(1)).toEqual(v1);
        expect(await store.datasets.get(3)).toBeNull();
        expect(await store.datasets.latest()).toEqual(v2);
        expect((await store.datasets.list()).map((d) => d.version)).toEqual([1, 2]);
        await expect(h.sql('UPDATE customer SET profit = 0')).rejects.toThrow(/immutable/);
        await expect(h.sql("UPDATE dataset SET source = 'x'")).rejects.toThrow(/immutable/);
        await expect(h.sql("UPDATE dropped_customer SET reason = 'revenue_outlier'")).rejects.toThrow(/immutable/);
      });

      it('latest() of an empty store is null and list() empty', async () => {
        expect(await store.datasets.latest()).toBeNull();
        expect(await store.datasets.list()).toEqual([]);
      });

      it('round-trips every customer field: null label, false consent, awkward text, doubles to the bit', async () => {
        const odd = customer(42, {
          label: null,
          allowNotify: false,
          serviceType: 'премиум',
          popularCategory: 'Товары, «для» детей\tс табуляцией\\и\nпереводом строки',
          profit: 0.1 + 0.2,
          promoShare: 1 / 3,
          revenuePrev: 1e-300,
          revenueCurrent: 5e-324,
          minutesPrev: Number.MAX_VALUE,
          tenureDays: -1234.5678901234567,
          marketActive6m: 123456789.12345679,
        });
        const v = (await store.datasets.create(dataset([1], { customers: [customer(5), odd, customer(3)] }), 's')).version;
        const back = await store.datasets.customer(v, 42);
        expect(back).toEqual(odd);
        expect(Object.is(back!.profit, 0.1 + 0.2)).toBe(true);
        expect(await store.datasets.customer(v, 43)).toBeNull();
        expect((await store.datasets.customers(v)).map((c) => c.id)).toEqual([3, 5, 42]);
        expect(await store.datasets.customers(99)).toEqual([]);
        expect(await store.datasets.dropped(v)).toEqual([{ id: 1, reason: 'zero_revenue' }]);
        expect(await store.datasets.dropped(99)).toEqual([]);
      });

      it('is all or nothing: a failing create leaves the store as it was and burns no version', async () => {
        await store.datasets.create(dataset([1, 2]), 'good');
        const before = [await count('dataset'), await count('customer'), await count('dropped_customer')];
        await expect(store.datasets.create(dataset([5, 6, 7, 6]), 'bad')).rejects.toThrow(/unique/i);
        await expect(store.datasets.create(dataset([8], { customers: [customer(8, { profit: Number.NaN })] }), 'nan')).rejects.toThrow();
        await expect(store.datasets.create(dataset([9], { dropped: [{ id: 1, reason: 'bored' as 'zero_revenue' }] }), 'reason')).rejects.toThrow(/check/i);
        expect([await count('dataset'), await count('customer'), await count('dropped_customer')]).toEqual(before);
        expect((await store.datasets.latest())?.source).toBe('good');
        expect((await store.datasets.create(dataset([9]), 'next')).version).toBe(2);
      });

      it('stores a large data set whole (bulk insert) and reads it back in id order', async () => {
        const ids = Array.from({ length: 5000 }, (_, i) => 10_000 - i * 2);
        const v = await store.datasets.create(dataset(ids, { dropped: [] }), 'big');
        expect(v.customersKept).toBe(5000);
        const back = await store.datasets.customers(v.version);
        expect(back.map((c) => c.id)).toEqual([...ids].sort((a, b) => a - b));
        expect(back[17]).toEqual(customer(back[17].id));
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

      for (const [name, dir] of [['demo', DEMO_DIR], ['real', REAL_DIR]] as const) {
        it.skipIf(dir === null)(`stores and reads back the cleaned customers of the ${name} data set exactly`, async () => {
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
      }
    });

    describe('ModelRepository', () => {
      it('saves a model with its scores and activates it in one step; activate() rolls back', async () => {
        const d = (await store.datasets.create(dataset([3, 1, 2]), 's')).version;
        expect(await store.models.activeVersion()).toBeNull();
        const m1 = await store.models.saveAndActivate(newModel(d), [{ id: 2, probability: 0.2 }, { id: 1, probability: 0.9 }], NOTHING_DERIVED);
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
        expect(await store.models.scores(9)).toEqual([]);
        await expect(h.sql('UPDATE score SET probability = 0')).rejects.toThrow(/immutable/);
        await expect(h.sql("UPDATE model SET family = 'x'")).rejects.toThrow(/immutable/);
      });

      it('a failing save leaves the previous model active and nothing half-written', async () => {
        const d = (await store.datasets.create(dataset([1, 2]), 's')).version;
        await store.models.saveAndActivate(newModel(d), [{ id: 1, probability: 0.3 }], NOTHING_DERIVED);
        await expect(store.models.saveAndActivate(newModel(d), [{ id: 1, probability: 0.3 }, { id: 2, probability: 1.7 }], NOTHING_DERIVED)).rejects.toThrow(/check/i);
        await expect(store.models.saveAndActivate(newModel(d), [{ id: 1, probability: 0.3 }, { id: 1, probability: 0.4 }], NOTHING_DERIVED)).rejects.toThrow(/unique/i);
        await expect(store.models.saveAndActivate(newModel(d), [{ id: 1, probability: Number.NaN }], NOTHING_DERIVED)).rejects.toThrow();
        await expect(store.models.saveAndActivate(newModel(99), [], NOTHING_DERIVED)).rejects.toThrow(NotFoundError);
        await expect(store.models.saveAndActivate(newModel(d, { artifact: undefined }), [], NOTHING_DERIVED)).rejects.toThrow(/JSON/);
        const { customers, probability } = portfolio(40);
        const badSegments = derivedFor(customers, probability);
        badSegments.segments.probability[badSegments.segments.order[5][0]] = Number.NaN; // a member row the table refuses, written last
        await expect(store.models.saveAndActivate(newModel(d), [{ id: 1, probability: 0.3 }], badSegments)).rejects.toThrow();
        expect(await store.models.activeVersion()).toBe(1);
        expect(await store.models.list()).toHaveLength(1);
        expect(await count('score')).toBe(1);
        expect(await count('segment_set')).toBe(1);
        expect(await count('explanation')).toBe(0);
        // Failed saves burned no version number.
        expect((await store.models.saveAndActivate(newModel(d), [], NOTHING_DERIVED)).version).toBe(2);
      });

      it('detects a corrupted artifact: get() throws CorruptRecordError, meta and list stay readable', async () => {
        const d = (await store.datasets.create(dataset([1]), 's')).version;
        const m = await store.models.saveAndActivate(newModel(d), [], NOTHING_DERIVED);
        await h.dropTrigger('model_immutable', 'model');
        await h.sql(`UPDATE model SET artifact = '{"coef": [0.5, ' WHERE version = ${m.version}`);
        const err = await store.models.get(m.version).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CorruptRecordError);
        expect((err as CorruptRecordError).code).toBe('CORRUPT_RECORD');
        expect((await store.models.meta(m.version))?.version).toBe(m.version);
        expect(await store.models.list()).toHaveLength(1);
        await h.sql(`UPDATE model SET metrics = 'nope' WHERE version = ${m.version}`);
        await expect(store.models.meta(m.version)).rejects.toThrow(CorruptRecordError);
      });

      it('stores metrics, params and artifacts as JSON exactly, doubles included', async () => {
        const d = (await store.datasets.create(dataset([1]), 's')).version;
        const artifact = { weights: [0.1 + 0.2, 1 / 3, -5e-324, 1e21], nested: { 'ключ': 'значение "в кавычках"' }, empty: [] };
        const m = await store.models.saveAndActivate(newModel(d, { artifact, metrics: { auc: 0.9123456789012345 } }), [{ id: 1, probability: 1 / 3 }], NOTHING_DERIVED);
        expect((await store.models.get(m.version))?.artifact).toEqual(artifact);
        expect(m.metrics).toEqual({ auc: 0.9123456789012345 });
        expect(Object.is(await store.models.score(m.version, 1), 1 / 3)).toBe(true);
      });

      it('saveAndActivate writes segments and explanations with the model, readable the moment it is active', async () => {
        const { customers, probability } = portfolio(60);
        const d = (await store.datasets.create(dataset([], { customers }), 's')).version;
        const explanations = [
          { id: 100, drivers: [{ feature: 'pagesPerVisit', contribution: -0.081 }, { feature: 'unpaidItems', contribution: 1 / 3 }], base: 0.389 },
          { id: 101, drivers: [], base: null },
          { id: 100, drivers: [{ feature: 'tenureDays', contribution: 9 }], base: 0.5 }, // a repeat: the first is kept
        ];
        const m = await store.models.saveAndActivate(
          newModel(d),
          customers.map((c, i) => ({ id: c.id, probability: probability[i] })),
          derivedFor(customers, probability, SETTINGS, explanations),
        );
        const set = await store.segments.find(m.version, SETTINGS);
        expect(set).toMatchObject({ modelVersion: m.version, datasetVersion: d, population: 60, settings: SETTINGS });
        expect(await store.explanations.get(m.version, 100)).toEqual(explanations[0].drivers);
        expect(await store.explanations.base(m.version, 100)).toBe(0.389);
        expect(await store.explanations.get(m.version, 101)).toEqual([]);
        expect(await store.explanations.base(m.version, 101)).toBeNull();
      });
    });

    describe('SegmentRepository', () => {
      async function modelWithoutSegments() {
        const { customers, probability } = portfolio(80);
        const d = (await store.datasets.create(dataset([], { customers }), 's')).version;
        const m = await store.models.saveAndActivate(newModel(d), customers.map((c, i) => ({ id: c.id, probability: probability[i] })), NOTHING_DERIVED);
        return { customers, probability, m, d };
      }

      it('find() is null until saved; save() stores the set, its aggregates and every member in priority order', async () => {
        const { customers, probability, m, d } = await modelWithoutSegments();
        expect(await store.segments.find(m.version, SETTINGS)).toBeNull();
        const tables = derivedFor(customers, probability).segments;
        const set = await store.segments.save(m.version, tables);
        expect(set).toMatchObject({ modelVersion: m.version, datasetVersion: d, population: 80, settings: SETTINGS, cutoffs: tables.cutoffs });
        expect(await store.segments.find(m.version, SETTINGS)).toEqual(set);
        expect(await store.segments.find(m.version, { ...SETTINGS, highRisk: 0.8 })).toBeNull();
        expect(await store.segments.aggregates(set)).toEqual(tables.aggregates);
        expect((await store.segments.aggregates(set)).map((a) => a.code)).toEqual([...SEGMENT_CODES]);
        for (const [k, code] of SEGMENT_CODES.entries()) {
          const all = await store.segments.members(set, code, 0, 1000);
          expect(all.map((x) => x.customer.id), code).toEqual(Array.from(tables.order[k], (i) => customers[i].id));
          for (const x of all) {
            const i = customers.findIndex((c) => c.id === x.customer.id);
            expect(x).toEqual({
              customer: { id: customers[i].id, profit: customers[i].profit, popularCategory: customers[i].popularCategory },
              probability: probability[i],
              priority: probability[i] * customers[i].profit,
              segments: SEGMENT_CODES.filter((_, b) => tables.masks[i] & (1 << b)),
            });
          }
          if (all.length > 3) expect(await store.segments.members(set, code, 2, 2)).toEqual(all.slice(2, 4));
        }
        expect(await store.segments.members(set, 'at-risk', 0, 0)).toEqual([]);
        expect(await store.segments.members(set, 'at-risk', 10_000, 5)).toEqual([]);
        // Overlaps without a member read: each combination of segments with its customer count.
        const expected = new Map<string, number>();
        tables.masks.forEach((mask) => {
          const key = SEGMENT_CODES.filter((_, b) => mask & (1 << b)).join();
          if (key) expected.set(key, (expected.get(key) ?? 0) + 1);
        });
        const combinations = await store.segments.combinations(set);
        expect(new Map(combinations.map((c) => [c.segments.join(), c.customers]))).toEqual(expected);
        expect(set.atThreshold).toBe(tables.atThreshold.length);
        await expect(h.sql('UPDATE segment_member SET profit = 0')).rejects.toThrow(/immutable/);
      });

      it('keeps the customers exactly at the at-risk threshold apart: high band for the call list, not at risk', async () => {
        const { customers, probability } = portfolio(40);
        probability[3] = probability[7] = SETTINGS.highRisk;
        const d = (await store.datasets.create(dataset([], { customers }), 's')).version;
        const tables = derivedFor(customers, probability).segments;
        const m = await store.models.saveAndActivate(newModel(d), customers.map((c, i) => ({ id: c.id, probability: probability[i] })), { segments: tables, explanations: [] });
        const set = (await store.segments.find(m.version, SETTINGS))!;
        expect(set.atThreshold).toBe(2);
        const tied = await store.segments.atThreshold(set, 0, 10);
        expect(tied.map((x) => x.customer.id).sort()).toEqual([customers[3].id, customers[7].id].sort());
        expect(tied.every((x) => x.probability === SETTINGS.highRisk)).toBe(true);
        expect((await store.segments.atThreshold(set, 1, 10)).map((x) => x.customer.id)).toEqual([tied[1].customer.id]);
        const atRisk = await store.segments.members(set, 'at-risk', 0, 1000);
        expect(atRisk.some((x) => x.probability === SETTINGS.highRisk)).toBe(false);
        expect((await store.segments.aggregates(set)).map((a) => a.code)).toEqual([...SEGMENT_CODES]);
      });

      it('save() is idempotent: a second save (or another process) keeps the first set and writes no member twice', async () => {
        const { customers, probability, m } = await modelWithoutSegments();
        const tables = derivedFor(customers, probability).segments;
        // Every segment's members, and the customers exactly at the threshold, once each.
        const members = tables.order.reduce((n, o) => n + o.length, tables.atThreshold.length);
        const other = await another();
        const [a, b] = await Promise.all([store.segments.save(m.version, tables), other.segments.save(m.version, tables)]);
        expect(b.id).toBe(a.id);
        expect((await store.segments.save(m.version, tables)).id).toBe(a.id);
        expect(await count('segment_set')).toBe(2); // with the empty one saveAndActivate wrote
        expect(await count('segment_member')).toBe(members);
        // A row per segment and one for the customers at the threshold, per set.
        expect(await count('segment_summary')).toBe(2 * (SEGMENT_CODES.length + 1));
        const other2 = await store.segments.save(m.version, derivedFor(customers, probability, { ...SETTINGS, mediumRisk: 0.5 }).segments);
        expect(other2.id).not.toBe(a.id);
      });
    });

    describe('ExplanationRepository', () => {
      it('put() is write-once per (model, customer); get() and base() read back exactly', async () => {
        const d = (await store.datasets.create(dataset([1, 2, 3]), 's')).version;
        const m = (await store.models.saveAndActivate(newModel(d), [], NOTHING_DERIVED)).version;
        expect(await store.explanations.get(m, 1)).toBeNull();
        expect(await store.explanations.base(m, 1)).toBeNull();
        await store.explanations.put(m, []);
        const first = [{ feature: 'promoShare', contribution: 0.1 + 0.2 }, { feature: 'serviceErrors', contribution: -1e-9 }];
        await store.explanations.put(m, [
          { id: 1, drivers: first, base: 1 / 3 },
          { id: 2, drivers: [{ feature: 'tenureDays', contribution: 0.5 }] },
          { id: 1, drivers: [], base: 0 },
        ]);
        await store.explanations.put(m, [{ id: 1, drivers: [{ feature: 'profit', contribution: 1 }], base: 0.9 }, { id: 3, drivers: [], base: null }]);
        expect(await store.explanations.get(m, 1)).toEqual(first);
        expect(Object.is(await store.explanations.base(m, 1), 1 / 3)).toBe(true);
        expect(await store.explanations.get(m, 2)).toEqual([{ feature: 'tenureDays', contribution: 0.5 }]);
        expect(await store.explanations.base(m, 2)).toBeNull();
        expect(await store.explanations.get(m, 3)).toEqual([]);
        expect(await store.explanations.get(m + 1, 1)).toBeNull();
        const other = await another();
        await Promise.all([other.explanations.put(m, [{ id: 9, drivers: [], base: 0.1 }]), store.explanations.put(m, [{ id: 9, drivers: [], base: 0.2 }])]);
        expect([0.1, 0.2]).toContain(await store.explanations.base(m, 9));
      });
    });

    describe('RetentionRepository', () => {
      it('lists versions and what refers to them; deletes a model with everything it owns, never the active one', async () => {
        const { customers, probability } = portfolio(30);
        const d1 = (await store.datasets.create(dataset([], { customers }), 'one')).version;
        clock = new Date('2025-02-01T00:00:00.000Z');
        const d2 = (await store.datasets.create(dataset([1, 2]), 'two')).version;
        const scores = customers.map((c, i) => ({ id: c.id, probability: probability[i] }));
        const m1 = (await store.models.saveAndActivate(newModel(d1), scores, derivedFor(customers, probability, SETTINGS, [{ id: 100, drivers: [] }]))).version;
        const m2 = (await store.models.saveAndActivate(newModel(d2), [{ id: 1, probability: 0.5 }], NOTHING_DERIVED)).version;
        await store.digests.create({ period: '2026-W48', trigger: 'schedule', modelVersion: m1, datasetVersion: d1, atRiskIds: [], parts: [] }, { owner: 'a', until: at(5) }, T0);
        const inv = await store.retention.inventory();
        expect(inv).toEqual({
          models: [
            { version: m1, datasetVersion: d1, createdAt: '2025-02-01T00:00:00.000Z', rows: 30 },
            { version: m2, datasetVersion: d2, createdAt: '2025-02-01T00:00:00.000Z', rows: 1 },
          ],
          datasets: [
            { version: d1, createdAt: '2025-01-02T03:04:05.000Z', rows: 30 },
            { version: d2, createdAt: '2025-02-01T00:00:00.000Z', rows: 2 },
          ],
          activeModel: m2,
          referencedModels: [m1],
          referencedDatasets: [d1],
        });
        await expect(store.retention.deleteModel(m2)).rejects.toThrow(`model v${m2} is active and cannot be deleted`);
        expect(await store.models.scores(m2)).toEqual([{ id: 1, probability: 0.5 }]);
        await expect(store.retention.deleteDataset(d1)).rejects.toThrow(`dataset v${d1} is used by model v${m1} and cannot be deleted`);
        await store.retention.deleteModel(m1);
        expect(await store.models.get(m1)).toBeNull();
        expect(await store.models.scores(m1)).toEqual([]);
        expect(await store.explanations.get(m1, 100)).toBeNull();
        expect(await count('segment_member')).toBe(0); // m2's set is empty
        expect(await count('segment_summary')).toBe(SEGMENT_CODES.length + 1);
        expect(await count('segment_set')).toBe(1);
        await store.retention.deleteDataset(d1);
        expect(await store.datasets.get(d1)).toBeNull();
        expect(await store.datasets.customers(d1)).toEqual([]);
        expect(await store.datasets.dropped(d1)).toEqual([]);
        expect((await store.retention.inventory()).models.map((m) => m.version)).toEqual([m2]);
        // Numbers are never reused after a delete.
        expect((await store.models.saveAndActivate(newModel(d2), [], NOTHING_DERIVED)).version).toBe(m2 + 1);
      });

      it('reports the store size and its reusable part, and vacuums', async () => {
        await store.datasets.create(dataset(Array.from({ length: 2000 }, (_, i) => i + 1)), 'big');
        const before = await store.retention.fileStats();
        expect(before.bytes).toBeGreaterThan(0);
        expect(before.freeBytes).toBeGreaterThanOrEqual(0);
        expect(before.freeBytes).toBeLessThanOrEqual(before.bytes);
        await store.retention.deleteDataset(1);
        await store.retention.vacuum();
        const after = await store.retention.fileStats();
        expect(after.bytes).toBeGreaterThan(0);
        expect(after.freeBytes).toBeLessThanOrEqual(after.bytes);
        expect(await store.datasets.list()).toEqual([]);
      });
    });

    describe('AuditLog', () => {
      it('keeps entries newest first, cuts long actions, and reads back what was just recorded', async () => {
        void store.audit.record({ userId: 1, chatId: 10, action: '/risk 215349' });
        clock = new Date('2025-01-02T03:04:06.000Z');
        await store.audit.record({ userId: 2, chatId: 20, action: 'x'.repeat(2000) });
        void store.audit.record({ userId: 3, chatId: -1001234567890, action: 'callback s:promo' });
        const recent = await store.audit.recent(10);
        expect(recent.map((e) => e.userId)).toEqual([3, 2, 1]);
        expect(recent[2]).toEqual({ at: '2025-01-02T03:04:05.000Z', userId: 1, chatId: 10, action: '/risk 215349' });
        expect(recent[1].action).toHaveLength(500);
        expect(recent[0].chatId).toBe(-1001234567890);
        expect((await store.audit.recent(2)).map((e) => e.userId)).toEqual([3, 2]);
        await expect(h.sql("UPDATE audit_log SET action = 'forged'")).rejects.toThrow(/append-only/);
      });

      it('keeps the order entries were recorded in, however many are in flight at once', async () => {
        const other = await another(); // a fresh pool: its connections open concurrently
        const all = Array.from({ length: 30 }, (_, i) => other.audit.record({ userId: i, chatId: i, action: `/risk ${i}` }));
        expect((await other.audit.recent(100)).map((e) => e.userId)).toEqual(Array.from({ length: 30 }, (_, i) => 29 - i));
        await Promise.all(all);
      });

      it('close() writes what was recorded but not yet awaited', async () => {
        const other = await another();
        for (let i = 0; i < 20; i++) void other.audit.record({ userId: i, chatId: i, action: `/start ${i}` });
        await other.close();
        expect((await store.audit.recent(100)).length).toBe(20);
      });
    });

    describe('SubscriberRepository', () => {
      it('subscribes once, unsubscribes with a reason, and lists active chats by id', async () => {
        expect(await store.subscribers.subscribe(102, 7)).toBe(true);
        expect(await store.subscribers.subscribe(102, 7)).toBe(false);
        expect(await store.subscribers.subscribe(-100500, 8)).toBe(true);
        expect(await store.subscribers.subscribe(101, 9)).toBe(true);
        expect(await store.subscribers.isSubscribed(102)).toBe(true);
        expect(await store.subscribers.isSubscribed(999)).toBe(false);
        expect((await store.subscribers.active()).map((s) => s.chatId)).toEqual([-100500, 101, 102]);
        expect((await store.subscribers.active())[2]).toEqual({ chatId: 102, userId: 7, subscribedAt: '2025-01-02T03:04:05.000Z' });
        expect(await store.subscribers.unsubscribe(102, 'blocked')).toBe(true);
        expect(await store.subscribers.unsubscribe(102, 'user')).toBe(false);
        expect(await store.subscribers.unsubscribe(999, 'user')).toBe(false);
        expect(await store.subscribers.isSubscribed(102)).toBe(false);
        expect(await store.subscribers.unsubscribe(101, 'revoked')).toBe(true);
        expect((await store.subscribers.active()).map((s) => s.chatId)).toEqual([-100500]);
        clock = new Date('2025-03-01T00:00:00.000Z');
        expect(await store.subscribers.subscribe(102, 70)).toBe(true);
        expect((await store.subscribers.active()).find((s) => s.chatId === 102)).toEqual({ chatId: 102, userId: 70, subscribedAt: '2025-03-01T00:00:00.000Z' });
        expect((await h.sql('SELECT reason, unsubscribed_at FROM digest_subscriber WHERE chat_id = 101'))[0]).toEqual(['revoked', '2025-01-02T03:04:05.000Z']);
      });

      it('moves a subscription to the supergroup a group became, remembering where it came from', async () => {
        await store.subscribers.subscribe(-500, 7);
        expect(await store.subscribers.migrate(-500, -100500)).toBe(true);
        expect(await store.subscribers.isSubscribed(-100500)).toBe(true);
        expect(await store.subscribers.isSubscribed(-500)).toBe(false);
        expect(await store.subscribers.originOf(-100500)).toBe(-500);
        expect(await store.subscribers.originOf(-500)).toBe(-500);
        expect(await store.subscribers.originOf(42)).toBe(42);
        expect(await store.subscribers.migrate(-100500, -100500)).toBe(false);
        expect(await store.subscribers.migrate(-9, -10)).toBe(false);
        expect(await store.subscribers.isSubscribed(-10)).toBe(false);
        // A chain: -500 → -100500 → -200500.
        expect(await store.subscribers.migrate(-100500, -200500)).toBe(true);
        expect(await store.subscribers.originOf(-200500)).toBe(-500);
        // An inactive chat's row moves too, and stays inactive; an active target stays active.
        await store.subscribers.subscribe(-600, 1);
        await store.subscribers.unsubscribe(-600, 'user');
        expect(await store.subscribers.migrate(-600, -100600)).toBe(false);
        expect(await store.subscribers.isSubscribed(-100600)).toBe(false);
        expect(await store.subscribers.originOf(-100600)).toBe(-600);
        await store.subscribers.subscribe(-100700, 2);
        await store.subscribers.subscribe(-700, 2);
        await store.subscribers.unsubscribe(-700, 'user');
        await store.subscribers.migrate(-700, -100700);
        expect(await store.subscribers.isSubscribed(-100700)).toBe(true);
      });
    });

    describe('DigestRunRepository', () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
      const csv = Buffer.from('\uFEFFid;риск\r\n1;0,9\r\n', 'utf8');
      const parts: Reply[] = [
        { type: 'text', text: 'Дайджест за неделю\n«в зоне риска»: 3' },
        { type: 'photo', png, fileName: 'trend.png', caption: 'Тренд' },
        { type: 'document', content: csv, fileName: 'at-risk.csv' },
      ];
      const run = (period: string, over: Partial<NewDigestRun> = {}): NewDigestRun => ({
        period,
        trigger: 'schedule',
        modelVersion: 3,
        datasetVersion: 2,
        atRiskIds: [1, 2, 3],
        parts,
        ...over,
      });

      it('creates a run once with its frozen parts; get, previous and history read runs by period', async () => {
        expect(await store.digests.get('2026-W48')).toBeNull();
        expect(await store.digests.create(run('2026-W48'), { owner: 'bot', until: at(5) }, T0)).toBe(true);
        expect(await store.digests.create(run('2026-W48', { trigger: 'manual' }), { owner: 'cli', until: at(5) }, T0)).toBe(false);
        expect(await store.digests.get('2026-W48')).toEqual({
          period: '2026-W48',
          trigger: 'schedule',
          startedAt: T0,
          finishedAt: null,
          modelVersion: 3,
          datasetVersion: 2,
          atRiskIds: [1, 2, 3],
        });
        expect(await store.digests.parts('2026-W48')).toEqual([parts[0], parts[1], { ...parts[2], caption: undefined }]);
        expect(await store.digests.parts('2026-W01')).toEqual([]);
        await store.digests.create(run('2026-W46', { atRiskIds: [7] }), { owner: 'bot', until: at(5) }, T0);
        await store.digests.create(run('2026-W50', { atRiskIds: [] }), { owner: 'bot', until: at(5) }, T0);
        expect((await store.digests.previous('2026-W48'))?.period).toBe('2026-W46');
        expect((await store.digests.previous('2026-W49'))?.period).toBe('2026-W48');
        expect(await store.digests.previous('2026-W46')).toBeNull();
        expect(await store.digests.history('2026-W51', 2)).toEqual([
          { period: '2026-W48', atRiskCount: 3 },
          { period: '2026-W50', atRiskCount: 0 },
        ]);
        expect(await store.digests.history('2026-W51', 10)).toHaveLength(3);
        await store.digests.finish('2026-W48', at(3));
        expect((await store.digests.get('2026-W48'))?.finishedAt).toBe(at(3));
      });

      it('a corrupted id list is reported as a corrupt record', async () => {
        await store.digests.create(run('2026-W48'), { owner: 'bot', until: at(5) }, T0);
        await h.sql("UPDATE digest_run SET at_risk_ids = '{\"not\": \"a list\"}'");
        await expect(store.digests.get('2026-W48')).rejects.toThrow(CorruptRecordError);
      });

      it('the lease: one owner at a time, renewable by its owner, free once released or expired', async () => {
        await store.digests.create(run('2026-W48'), { owner: 'bot', until: at(5) }, T0);
        expect(await store.digests.acquire('2026-W48', { owner: 'cli', until: at(10) }, at(1))).toBe(false);
        expect(await store.digests.acquire('2026-W48', { owner: 'bot', until: at(10) }, at(1))).toBe(true);
        expect(await store.digests.acquire('2026-W48', { owner: 'cli', until: at(15) }, at(9))).toBe(false);
        expect(await store.digests.acquire('2026-W48', { owner: 'cli', until: at(15) }, at(11))).toBe(true);
        await store.digests.release('2026-W48', 'bot'); // not the holder: nothing changes
        expect(await store.digests.acquire('2026-W48', { owner: 'bot', until: at(20) }, at(12))).toBe(false);
        await store.digests.release('2026-W48', 'cli');
        expect(await store.digests.acquire('2026-W48', { owner: 'bot', until: at(20) }, at(12))).toBe(true);
        expect(await store.digests.acquire('2026-W01', { owner: 'bot', until: at(20) }, at(12))).toBe(false);
      });

      it('rival processes taking an expired lease at once: exactly one gets it', async () => {
        await store.digests.create(run('2026-W48'), { owner: 'old', until: at(1) }, T0);
        const rivals = [store, await another(), await another()];
        for (let round = 0; round < 5; round++) {
          const now = at(10 + round * 10);
          const wins = await Promise.all(
            rivals.flatMap((s, i) => [0, 1].map((j) => s.digests.acquire('2026-W48', { owner: `r${round}-${i}-${j}`, until: at(10 + round * 10 + 5) }, now))),
          );
          expect(wins.filter(Boolean)).toHaveLength(1);
        }
      });

      it('deliveries: enqueue each chat once, progress, attempts, final states, requeue of failures', async () => {
        await store.digests.create(run('2026-W48'), { owner: 'bot', until: at(5) }, T0);
        expect(await store.digests.enqueue('2026-W48', [103, 101, 102, 101], T0)).toBe(3);
        expect(await store.digests.enqueue('2026-W48', [101, 104], T0)).toBe(1);
        expect(await store.digests.enqueue('2026-W48', [], T0)).toBe(0);
        await store.digests.markProgress('2026-W48', 101, 2, at(1));
        await store.digests.markAttempt('2026-W48', 102, 'ETIMEDOUT', at(1));
        await store.digests.markAttempt('2026-W48', 102, '502 Bad Gateway', at(2));
        await store.digests.markFinal('2026-W48', 103, 'blocked', '403 Forbidden', at(2));
        await store.digests.markFinal('2026-W48', 104, 'failed', '400 chat not found', at(2));
        await store.digests.markFinal('2026-W48', 101, 'sent', null, at(3));
        const clean = { partInFlight: null, partsLost: 0 };
        expect(await store.digests.deliveries('2026-W48')).toEqual([
          { chatId: 101, status: 'sent', partsSent: 2, attempts: 0, error: null, ...clean },
          { chatId: 103, status: 'blocked', partsSent: 0, attempts: 0, error: '403 Forbidden', ...clean },
          { chatId: 104, status: 'failed', partsSent: 0, attempts: 0, error: '400 chat not found', ...clean },
          { chatId: 102, status: 'pending', partsSent: 0, attempts: 2, error: '502 Bad Gateway', ...clean },
        ]);
        await store.digests.markFinal('2026-W48', 102, 'skipped', null, at(4));
        expect(await store.digests.requeueFailed('2026-W48', at(5))).toBe(2);
        expect((await store.digests.deliveries('2026-W48')).map((d) => [d.chatId, d.status])).toEqual([
          [101, 'sent'],
          [103, 'blocked'],
          [104, 'pending'],
          [102, 'pending'],
        ]);
        expect(await store.digests.deliveries('2026-W01')).toEqual([]);
      });

      it('the part in flight: marked before a send, cleared by its outcome; left by a dead sender, given up as lost once', async () => {
        await store.digests.create(run('2026-W48'), { owner: 'bot', until: at(5) }, T0);
        await store.digests.enqueue('2026-W48', [101, 102, 103, 104, 105], T0);
        const row = async (chatId: number) => (await store.digests.deliveries('2026-W48')).find((d) => d.chatId === chatId);
        for (const chat of [101, 102, 103, 104, 105]) await store.digests.markInFlight('2026-W48', chat, 0, at(1));
        expect(await row(101)).toMatchObject({ partsSent: 0, partInFlight: 0, partsLost: 0 });
        // Outcomes this process saw: each clears the mark.
        await store.digests.markProgress('2026-W48', 101, 1, at(2));
        await store.digests.markAttempt('2026-W48', 102, 'ETIMEDOUT', at(2));
        await store.digests.markFinal('2026-W48', 103, 'blocked', '403 Forbidden', at(2));
        expect(await row(101)).toMatchObject({ partsSent: 1, partInFlight: null });
        expect(await row(102)).toMatchObject({ partsSent: 0, partInFlight: null, attempts: 1 });
        expect(await row(103)).toMatchObject({ status: 'blocked', partInFlight: null });

        // 104's and 105's sender died: another process, resuming, reads the mark and gives the part up.
        const other = await another();
        expect((await other.digests.deliveries('2026-W48')).filter((d) => d.partInFlight !== null).map((d) => d.chatId)).toEqual([104, 105]);
        await other.digests.markLost('2026-W48', 104, 0, 'possibly lost', at(3));
        await other.digests.markLost('2026-W48', 104, 0, 'possibly lost', at(3)); // not in flight any more: nothing changes
        await other.digests.markLost('2026-W48', 105, 1, 'possibly lost', at(3)); // not the part in flight: nothing changes
        expect(await row(104)).toMatchObject({ status: 'pending', partsSent: 1, partInFlight: null, partsLost: 1, error: 'possibly lost' });
        expect(await row(105)).toMatchObject({ partsSent: 0, partInFlight: 0, partsLost: 0, error: null });
        await other.digests.markInFlight('2026-W48', 104, 1, at(4));
        await other.digests.markProgress('2026-W48', 104, 2, at(4));
        await other.digests.markFinal('2026-W48', 104, 'sent', 'possibly lost', at(5));
        expect(await row(104)).toMatchObject({ status: 'sent', partsSent: 2, partInFlight: null, partsLost: 1, error: 'possibly lost' });
        expect(await h.sql("SELECT part_in_flight, parts_lost FROM digest_delivery WHERE chat_id = 105")).toEqual([[0, 0]]);
      });

      it('replace() puts new content in and every delivery back to pending', async () => {
        await store.digests.create(run('2026-W48'), { owner: 'bot', until: at(5) }, T0);
        await store.digests.enqueue('2026-W48', [101, 102], T0);
        await store.digests.markProgress('2026-W48', 101, 3, at(1));
        await store.digests.markFinal('2026-W48', 101, 'sent', null, at(1));
        await store.digests.markAttempt('2026-W48', 102, 'boom', at(1));
        await store.digests.markInFlight('2026-W48', 102, 0, at(1));
        await store.digests.markLost('2026-W48', 102, 0, 'lost', at(1));
        await store.digests.markInFlight('2026-W48', 102, 1, at(1));
        await store.digests.finish('2026-W48', at(2));
        await store.digests.replace(run('2026-W48', { trigger: 'manual', modelVersion: 4, atRiskIds: [9], parts: [{ type: 'text', text: 'новый' }] }), at(10));
        expect(await store.digests.get('2026-W48')).toMatchObject({ trigger: 'manual', startedAt: at(10), finishedAt: null, modelVersion: 4, atRiskIds: [9] });
        expect(await store.digests.parts('2026-W48')).toEqual([{ type: 'text', text: 'новый' }]);
        expect(await store.digests.deliveries('2026-W48')).toEqual([
          { chatId: 101, status: 'pending', partsSent: 0, partInFlight: null, partsLost: 0, attempts: 0, error: null },
          { chatId: 102, status: 'pending', partsSent: 0, partInFlight: null, partsLost: 0, attempts: 0, error: null },
        ]);
        expect(await store.digests.history('2026-W49', 1)).toEqual([{ period: '2026-W48', atRiskCount: 1 }]);
      });
    });

    describe('CampaignRepository', () => {
      const plan = (week: string, createdAt: string): CampaignPlan => ({
        week,
        createdAt,
        modelVersion: 1,
        datasetVersion: 1,
        capacity: 2,
        controlShare: 0.25,
        cooldownDays: 28,
        seed: 3_000_000_123,
        eligible: 4,
      });
      const member = (customerId: number, arm: CampaignMember['arm'], rank: number): CampaignMember => ({
        customerId,
        arm,
        rank,
        probability: 0.8,
        profit: 4,
        expectedLoss: 3.2,
        offer: rank === 1 ? 'cart' : 'at-risk',
        driver: rank === 1 ? 'unpaidItems' : null,
        driverContribution: rank === 1 ? 0.12 : null,
        segments: rank === 1 ? ['cart', 'at-risk'] : [],
      });
      const W48 = [member(1, 'treated', 1), member(2, 'control', 2), member(3, 'treated', 3)];
      const press = (over: Partial<Outreach> = {}): Outreach => ({ week: '2026-W48', customerId: 1, status: 'no_answer', offer: 'cart', userId: 7, at: '2026-11-23T10:00:00.000Z', ...over });

      beforeEach(async () => {
        const ds = await store.datasets.create({ customers: [1, 2, 3, 4].map((id) => customer(id)), dropped: [], rowsIn: {}, customersIn: 4 }, 'test');
        await store.models.saveAndActivate(newModel(ds.version), [1, 2, 3, 4].map((id) => ({ id, probability: 0.8 })), NOTHING_DERIVED);
      });

      it('stores a plan with its members once; a second create for the week writes nothing', async () => {
        expect(await store.campaigns.create(plan('2026-W48', T0), W48)).toBe(true);
        expect(await store.campaigns.create({ ...plan('2026-W48', T0), seed: 999 }, [member(4, 'treated', 1)])).toBe(false);
        expect(await store.campaigns.plan('2026-W48')).toEqual(plan('2026-W48', T0));
        expect(await store.campaigns.members('2026-W48')).toEqual(W48);
        expect(await store.campaigns.plan('2026-W47')).toBeNull();
        expect(await store.campaigns.members('2026-W47')).toEqual([]);
        expect(await store.campaigns.member('2026-W48', 2)).toEqual(W48[1]);
        expect(await store.campaigns.member('2026-W48', 4)).toBeNull();
        await expect(h.sql("UPDATE campaign_member SET arm = 'treated' WHERE customer_id = 2")).rejects.toThrow(/immutable/);
        await expect(h.sql('UPDATE campaign_plan SET seed = 1')).rejects.toThrow(/immutable/);
      });

      it('two processes planning the same week at once: one plan, one set of members', async () => {
        const other = await another();
        const results = await Promise.all([
          store.campaigns.create(plan('2026-W48', T0), W48),
          other.campaigns.create({ ...plan('2026-W48', T0), seed: 1 }, [member(4, 'treated', 1)]),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const members = await store.campaigns.members('2026-W48');
        expect(members.map((m) => m.customerId)).toEqual(results[0] ? [1, 2, 3] : [4]);
      });

      it('rolls back the whole plan when a member cannot be written', async () => {
        await expect(store.campaigns.create(plan('2026-W48', T0), [member(1, 'treated', 1), member(1, 'control', 2)])).rejects.toThrow(/unique/i);
        expect(await store.campaigns.plan('2026-W48')).toBeNull();
        expect(await store.campaigns.create(plan('2026-W48', T0), W48)).toBe(true);
      });

      it('replaces the outcome of a second press and says so; refuses customers outside the plan', async () => {
        await store.campaigns.create(plan('2026-W48', T0), W48);
        expect(await store.campaigns.recordOutreach(press())).toBe(false);
        const second = press({ status: 'offered', userId: 8, at: '2026-11-24T10:00:00.000Z' });
        expect(await store.campaigns.recordOutreach(second)).toBe(true);
        expect(await store.campaigns.recordOutreach(second)).toBe(true);
        expect(await store.campaigns.outreach('2026-W48')).toEqual([second]);
        expect(await store.campaigns.outreach('2026-W47')).toEqual([]);
        expect(await store.campaigns.progress('2026-W48')).toEqual({ planned: 2, offered: 1, noAnswer: 0, declined: 0 });
        await store.campaigns.recordOutreach(press({ customerId: 3, status: 'declined' }));
        await store.campaigns.recordOutreach(press({ customerId: 2, status: 'no_answer' })); // a control member pressed by hand
        expect(await store.campaigns.progress('2026-W48')).toEqual({ planned: 2, offered: 1, noAnswer: 0, declined: 1 });
        expect(await store.campaigns.progress('2026-W47')).toEqual({ planned: 0, offered: 0, noAnswer: 0, declined: 0 });
        await expect(store.campaigns.recordOutreach(press({ customerId: 4 }))).rejects.toThrow(/foreign key/i);
        await expect(store.campaigns.recordOutreach(press({ week: '2026-W49' }))).rejects.toThrow(/foreign key/i);
      });

      it('lists customers reached (not merely called) since a time, and control members of plans since a time', async () => {
        await store.campaigns.create(plan('2026-W47', '2026-11-16T09:00:00.000Z'), [member(4, 'control', 1), member(3, 'treated', 2)]);
        await store.campaigns.create(plan('2026-W48', '2026-11-23T09:00:00.000Z'), W48);
        await store.campaigns.recordOutreach(press({ status: 'offered' }));
        await store.campaigns.recordOutreach(press({ customerId: 3, at: '2026-11-23T11:00:00.000Z' }));
        await store.campaigns.recordOutreach(press({ week: '2026-W47', customerId: 3, status: 'declined', at: '2026-11-17T11:00:00.000Z' }));
        expect(await store.campaigns.contactedSince('2026-11-01T00:00:00.000Z')).toEqual([1, 3]);
        expect(await store.campaigns.contactedSince('2026-11-20T00:00:00.000Z')).toEqual([1]);
        expect(await store.campaigns.contactedSince('2026-11-23T10:00:00.000Z')).toEqual([1]);
        expect(await store.campaigns.contactedSince('2026-12-01T00:00:00.000Z')).toEqual([]);
        expect(await store.campaigns.heldOutSince('2026-11-01T00:00:00.000Z')).toEqual([2, 4]);
        expect(await store.campaigns.heldOutSince('2026-11-20T00:00:00.000Z')).toEqual([2]);
        expect((await store.campaigns.plans()).map((p) => p.week)).toEqual(['2026-W47', '2026-W48']);
      });
    });

    describe('ContactRepository', () => {
      const ivan = { id: 1, name: 'Иван', phone: '+7 912 345-67-89', email: null, extra: { Город: 'Пермь', 'Заметка\tс табом': 'a\\b\nc' } };

      it('upserts by customer id and keeps everyone the new file does not mention', async () => {
        expect(await store.contacts.upsert([ivan, { id: 2, name: 'Ольга', phone: null, email: 'olga@example.ru', extra: {} }], 'a.csv')).toBe(2);
        expect(await store.contacts.upsert([{ ...ivan, phone: '89123456780', extra: {} }], 'b.csv')).toBe(1);
        expect(await store.contacts.get(1)).toEqual({ ...ivan, phone: '89123456780', extra: {} });
        expect((await store.contacts.get(2))?.email).toBe('olga@example.ru');
        expect(await store.contacts.get(3)).toBeNull();
        expect(await store.contacts.count()).toBe(2);
        expect((await store.contacts.byIds([3, 2, 1])).map((c) => c.id)).toEqual([1, 2]);
        expect(await store.contacts.byIds([])).toEqual([]);
        expect(await store.contacts.upsert([], 'empty.csv')).toBe(0);
      });

      it('round-trips any text, and a file naming an id twice keeps its last row', async () => {
        expect(await store.contacts.upsert([ivan, { ...ivan, name: 'Иван Петрович' }], 'c.csv')).toBe(2);
        expect(await store.contacts.get(1)).toEqual({ ...ivan, name: 'Иван Петрович' });
        expect(await store.contacts.count()).toBe(1);
      });

      it('survives new data set versions and reopening, and looks up many ids at once', async () => {
        await store.contacts.upsert([ivan], 'contacts.csv');
        await store.datasets.create({ customers: [customer(1)], dropped: [], rowsIn: {}, customersIn: 1 }, 'next');
        await store.close();
        opened.splice(opened.indexOf(store), 1);
        store = await another();
        expect(await store.contacts.get(1)).toEqual(ivan);
        const many = Array.from({ length: 1200 }, (_, i) => ({ id: i + 10, name: null, phone: null, email: `c${i}@example.ru`, extra: {} }));
        await store.contacts.upsert(many, 'big.csv');
        expect(await store.contacts.byIds(many.map((c) => c.id))).toHaveLength(1200);
      });
    });

    describe('UpdateClaims', () => {
      it('grants the first claim of an update id and refuses every copy, the same owner included', async () => {
        expect(await store.updateClaims.claim(1, 'a', at(60), T0)).toBe(true);
        expect(await store.updateClaims.claim(1, 'a', at(60), at(1))).toBe(false);
        expect(await store.updateClaims.claim(1, 'b', at(61), at(1))).toBe(false);
        expect(await store.updateClaims.claim(2, 'b', at(60), T0)).toBe(true);
      });

      it('two replicas on one database never both win an update', async () => {
        const [a, b] = [store.updateClaims, (await another()).updateClaims];
        const ids = Array.from({ length: 50 }, (_, i) => 1000 + i);
        const wins = await Promise.all(ids.flatMap((id) => [a.claim(id, 'a', at(60), T0), b.claim(id, 'b', at(60), T0)]));
        for (let i = 0; i < ids.length; i++) expect(Number(wins[2 * i]) + Number(wins[2 * i + 1])).toBe(1);
      });

      it('an expired claim can be taken again; prune forgets expired ones only', async () => {
        await store.updateClaims.claim(7, 'a', at(60), T0);
        await store.updateClaims.claim(8, 'a', at(120), T0);
        expect(await store.updateClaims.claim(7, 'b', at(200), at(59))).toBe(false);
        expect(await store.updateClaims.claim(7, 'b', at(200), at(60))).toBe(true);
        expect(await h.sql('SELECT owner FROM update_claim WHERE update_id = 7')).toEqual([['b']]);
        expect(await store.updateClaims.prune(at(150))).toBe(1);
        expect((await h.sql('SELECT update_id FROM update_claim')).map((r) => Number(r[0]))).toEqual([7]);
        expect(await store.updateClaims.claim(8, 'c', at(300), at(150))).toBe(true);
        expect(await store.updateClaims.prune(at(0))).toBe(0);
      });
    });

    describe('UpdateClaims: one chat’s updates in order across replicas', () => {
      const chat = (chatId: number, album?: string) => ({ chatId, album });

      it('an update waits for an earlier undone update of its chat claimed by another owner, until it is done', async () => {
        const [a, b] = [store.updateClaims, (await another()).updateClaims];
        expect(await a.claim(10, 'a', at(60), T0, chat(5))).toBe(true);
        expect(await b.claim(11, 'b', at(60), at(0), chat(5))).toBe(true);
        expect(await b.claim(12, 'b', at(60), at(0), chat(6))).toBe(true);
        expect(await b.waitsFor(11, 'b', chat(5), at(-2))).toBe(true);
        // Not for later updates, other chats, its own claims, or claims older than `since`.
        expect(await a.waitsFor(10, 'a', chat(5), at(-2))).toBe(false);
        expect(await b.waitsFor(12, 'b', chat(6), at(-2))).toBe(false);
        expect(await a.waitsFor(11, 'a', chat(5), at(-2))).toBe(false);
        expect(await b.waitsFor(11, 'b', chat(5), at(1))).toBe(false);
        await a.done(10, at(1));
        expect(await b.waitsFor(11, 'b', chat(5), at(-2))).toBe(false);
        expect(await h.sql('SELECT done_at FROM update_claim WHERE update_id = 10')).toEqual([[at(1)]]);
        await a.done(10, at(2)); // the first time stays
        expect(await h.sql('SELECT done_at FROM update_claim WHERE update_id = 10')).toEqual([[at(1)]]);
      });

      it('parts of one album do not wait for each other, but for anything else of the chat', async () => {
        const [a, b] = [store.updateClaims, (await another()).updateClaims];
        await a.claim(20, 'a', at(60), T0, chat(7, 'g1'));
        await a.claim(21, 'a', at(60), T0, chat(7));
        expect(await b.waitsFor(22, 'b', chat(7, 'g1'), at(-1))).toBe(true); // the plain update 21
        await a.done(21, at(1));
        expect(await b.waitsFor(22, 'b', chat(7, 'g1'), at(-1))).toBe(false);
        expect(await b.waitsFor(22, 'b', chat(7, 'g2'), at(-1))).toBe(true);
        expect(await b.waitsFor(22, 'b', chat(7), at(-1))).toBe(true);
      });

      it('a claim without a chat is never waited for; an expired claim taken again starts undone', async () => {
        await store.updateClaims.claim(30, 'a', at(60), T0);
        expect(await store.updateClaims.waitsFor(31, 'b', chat(8), at(-1))).toBe(false);
        await store.updateClaims.claim(32, 'a', at(1), T0, chat(8));
        await store.updateClaims.done(32, at(0));
        expect(await store.updateClaims.claim(32, 'a', at(90), at(2), chat(8))).toBe(true);
        expect(await store.updateClaims.waitsFor(33, 'b', chat(8), at(-1))).toBe(true);
      });
    });

    describe('Leases', () => {
      it('one owner at a time: renewed by its holder, taken once it is released or expired', async () => {
        const [a, b] = [store.leases, (await another()).leases];
        expect(await a.acquire('retrain', 'a', at(1), T0)).toBe(true);
        expect(await b.acquire('retrain', 'b', at(2), at(0))).toBe(false);
        expect(await a.acquire('retrain', 'a', at(3), at(0))).toBe(true); // renewed
        expect(await b.acquire('retrain', 'b', at(4), at(2))).toBe(false); // still a's until +3
        expect(await b.acquire('other', 'b', at(4), at(2))).toBe(true); // names are independent
        expect(await b.acquire('retrain', 'b', at(5), at(3))).toBe(true); // a's expired
        expect(await a.acquire('retrain', 'a', at(6), at(3))).toBe(false);
        await a.release('retrain', 'a'); // not a's any more: nothing happens
        expect(await a.acquire('retrain', 'a', at(6), at(4))).toBe(false);
        await b.release('retrain', 'b');
        expect(await a.acquire('retrain', 'a', at(6), at(4))).toBe(true);
      });

      it('tells the holder of an unexpired lease, and lets a named dead holder’s lease be taken over', async () => {
        const [a, b] = [store.leases, (await another()).leases];
        expect(await b.holder('retrain', T0)).toBeNull();
        await a.acquire('retrain', 'dead', at(30), T0);
        expect(await b.holder('retrain', at(1))).toBe('dead');
        expect(await b.holder('retrain', at(30))).toBeNull();
        expect(await b.acquire('retrain', 'b', at(5), at(1), 'someone else')).toBe(false);
        expect(await b.acquire('retrain', 'b', at(5), at(1), 'dead')).toBe(true);
        expect(await a.holder('retrain', at(1))).toBe('b');
      });

      it('of many processes racing for a free lease exactly one wins', async () => {
        const stores = [store, await another(), await another()];
        for (let round = 0; round < 10; round++) {
          const name = `race-${round}`;
          const wins = await Promise.all(
            Array.from({ length: 9 }, (_, i) => stores[i % 3].leases.acquire(name, `p${i}`, at(5), T0)),
          );
          expect(wins.filter(Boolean)).toHaveLength(1);
        }
      });
    });

    describe('ChatStateRepository', () => {
      const file = (role: string, fill: number, size = 8) => ({ role, fileName: `${role}.csv`, bytes: Buffer.alloc(size, fill) });
      const limits = (staleBefore: string) => ({ staleBefore, maxChats: 16, maxBytes: 1 << 20 });

      it('a pending question is taken once, by whichever replica reads it first, and not after it expired', async () => {
        const other = (await another()).chatState;
        await store.chatState.setPending(5, 'risk', at(60));
        expect(await other.takePending(5, at(1))).toBe('risk');
        expect(await store.chatState.takePending(5, at(1))).toBeNull();
        await store.chatState.setPending(5, 'risk', at(60));
        await store.chatState.setPending(5, null, at(60));
        expect(await other.takePending(5, at(1))).toBeNull();
        await store.chatState.setPending(6, 'risk', at(60));
        expect(await store.chatState.takePending(6, at(60))).toBeNull();
      });

      it('counts each chat’s hits per window, across replicas, and prune forgets past windows', async () => {
        const other = (await another()).chatState;
        expect(await store.chatState.countHit(1, '2026-12-01T09:00')).toBe(1);
        expect(await other.countHit(1, '2026-12-01T09:00')).toBe(2);
        expect(await other.countHit(2, '2026-12-01T09:00')).toBe(1);
        expect(await store.chatState.countHit(1, '2026-12-01T09:01')).toBe(1);
        const hits = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store.chatState : other).countHit(3, '2026-12-01T09:00')));
        expect([...hits].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        await store.chatState.prune('2026-12-01T09:01:30.000Z');
        expect(await count('chat_hits')).toBe(1);
      });

      it('once: the first caller of a key wins until it expires, whoever calls', async () => {
        const other = (await another()).chatState;
        const wins = await Promise.all([store.chatState.once('refused:9', at(60), T0), other.once('refused:9', at(60), T0)]);
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(await store.chatState.once('refused:9', at(120), at(59))).toBe(false);
        expect(await other.once('refused:9', at(120), at(60))).toBe(true);
        await store.chatState.prune(at(200));
        expect(await count('chat_once')).toBe(0);
      });

      it('stages an upload’s files from any replica, replaces a role, drops a stale upload and clears once', async () => {
        const other = (await another()).chatState;
        expect(await store.chatState.stage(1, file('a', 1), at(0), limits(at(-30)))).toEqual({ expired: false });
        expect(await other.stage(1, file('b', 2), at(1), limits(at(-29)))).toEqual({ expired: false });
        await other.stage(1, file('b', 3, 4), at(2), limits(at(-28)));
        const staged = await store.chatState.staged(1, at(-28));
        expect(staged.map((f) => [f.role, f.fileName, [...f.bytes]])).toEqual([
          ['a', 'a.csv', Array(8).fill(1)],
          ['b', 'b.csv', Array(4).fill(3)],
        ]);
        expect(await store.chatState.staged(1, at(3))).toEqual([]);
        expect(await store.chatState.stage(1, file('c', 4), at(40), limits(at(10)))).toEqual({ expired: true });
        expect((await other.staged(1, at(10))).map((f) => f.role)).toEqual(['c']);
        expect(await Promise.all([store.chatState.clearStaged(1), other.clearStaged(1)])).toEqual(expect.arrayContaining([true, false]));
        expect(await other.staged(1, at(0))).toEqual([]);
      });

      it('stays bounded: past the chat or byte limit the least recently touched other uploads go', async () => {
        const tight = (staleBefore: string) => ({ staleBefore, maxChats: 2, maxBytes: 40 });
        await store.chatState.stage(1, file('a', 1), at(0), tight(at(-30)));
        await store.chatState.stage(2, file('a', 2), at(1), tight(at(-30)));
        await store.chatState.stage(1, file('b', 1), at(2), tight(at(-30)));
        await store.chatState.stage(3, file('a', 3), at(3), tight(at(-30)));
        const sizes = async () => Promise.all([1, 2, 3].map(async (c) => (await store.chatState.staged(c, at(-30))).length));
        expect(await sizes()).toEqual([2, 0, 1]);
        await store.chatState.stage(3, file('b', 3, 30), at(4), tight(at(-30)));
        expect(await sizes()).toEqual([0, 0, 2]);
      });
    });
  });
}
