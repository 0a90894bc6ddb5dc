/**
 * Customers streamed to a store while the files are read (DatasetReader `sink`,
 * DatasetRepository.createWhileReading): the same data set and the same problems as reading first,
 * and on PostgreSQL a failed read leaves nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CleanDataset, Customer } from '../../src/core/domain.ts';
import { DataError } from '../../src/core/errors.ts';
import type { CustomerSink } from '../../src/core/ports.ts';
import { readDatasetDir } from '../../src/data/csv/ingest.ts';
import { openPgStore, type PgStore } from '../../src/data/postgres/store.ts';
import { describePostgres, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { cleanupTmp, dataLines, problemsOf, setField, writeSet } from './helpers.ts';

afterAll(cleanupTmp);

function collector(): CustomerSink & { got: Customer[]; waits: number } {
  const got: Customer[] = [];
  const sink = { got, waits: 0, write: (c: Readonly<Customer>) => void got.push({ ...c }), ready: () => (sink.waits++, Promise.resolve()) };
  return sink;
}

/** A set with a dropped customer of each kind, so streaming has to leave some out. */
function setWithDrops(): string {
  const money = dataLines('market_money.csv');
  const zero = money.findIndex((l, i) => i > 0 && l.includes('текущий_месяц'));
  return writeSet({ 'market_money.csv': setField(setField(money, zero + 1, 2, '0'), 5, 2, '999999') });
}

describe('reading with a sink', () => {
  it('returns the same data set as without, and hands over exactly its customers, in order', async () => {
    const dir = setWithDrops();
    const plain = await readDatasetDir(dir);
    const sink = collector();
    const streamed = await readDatasetDir(dir, { sink });
    expect(new Set(plain.dropped.map((d) => d.reason))).toEqual(new Set(['revenue_outlier', 'zero_revenue']));
    expect(streamed).toEqual(plain);
    // Key order too: rows_in is stored and printed as JSON.
    expect(Object.keys(streamed.rowsIn)).toEqual(['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv']);
    expect(Object.keys(streamed.formats)).toEqual(['market_file', 'market_money', 'market_time', 'money']);
    expect(sink.got).toEqual(plain.customers);
    expect(sink.waits).toBeGreaterThan(0);
  });

  it('reports the same problems, in the same order, however the files are read', async () => {
    const file = dataLines('market_file.csv');
    const [header, ...revenues] = dataLines('market_money.csv');
    // Revenues listed last customer first: their ids take the table's first slots when that file
    // is read first, and the capped list must still keep market_file.csv's first problems.
    const dir = writeSet({
      'market_file.csv': setField(file, file.length - 1, 0, file[1].split(',')[0]),
      'market_money.csv': [header, ...setField(revenues.reverse(), 4, 2, 'abc'), '999001,текущий_месяц,10'],
      'money.csv': dataLines('money.csv').slice(0, -3),
    });
    const plain = await problemsOf(() => readDatasetDir(dir, { maxProblemsPerFile: 2 }));
    const sink = collector();
    const streamed = await problemsOf(() => readDatasetDir(dir, { maxProblemsPerFile: 2, sink }));
    expect(plain.length).toBeGreaterThan(4);
    expect(streamed).toEqual(plain);
    // Nothing after the first problem, and the other files', read first, came before any customer.
    expect(sink.got).toEqual([]);
  });
});

describePostgres('PostgreSQL: customers stored while read', () => {
  let cluster: TestPostgres;
  let store: PgStore;
  beforeAll(async () => {
    cluster = await startPostgres();
    store = await openPgStore(await cluster.createDatabase());
  });
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });
  const count = async (sql: string) => Number((await store.pool.query<{ n: string }>(sql)).rows[0].n);

  it('stores what create stores, and the committed row is immutable', async () => {
    const dir = setWithDrops();
    const { dataset, data } = await store.datasets.createWhileReading!(dir, (sink) => readDatasetDir(dir, { sink }));
    const reference = await store.datasets.create(await readDatasetDir(dir), dir);
    expect({ ...dataset, version: 0, createdAt: '' }).toEqual({ ...reference, version: 0, createdAt: '' });
    expect(await store.datasets.customers(dataset.version)).toEqual(await store.datasets.customers(reference.version));
    expect(await store.datasets.dropped(dataset.version)).toEqual(data.dropped);
    await expect(store.pool.query('UPDATE dataset SET positives = 0 WHERE version = $1', [dataset.version])).rejects.toThrow(/immutable/);
  });

  it('a read that fails after customers were sent leaves no version, and the store goes on', async () => {
    const before = await store.datasets.latest();
    const customers = await count('SELECT count(*) AS n FROM customer');
    const file = dataLines('market_file.csv');
    const dir = writeSet({ 'market_file.csv': setField(file, file.length, 4, '-1') });
    let sent = 0;
    const failed = store.datasets.createWhileReading!(dir, (sink) =>
      readDatasetDir(dir, { sink: { write: (c) => (sent++, sink.write(c)), ready: () => sink.ready() } }),
    );
    await expect(failed).rejects.toBeInstanceOf(DataError);
    expect(sent).toBeGreaterThan(1000);
    expect(await store.datasets.latest()).toEqual(before);
    expect(await count('SELECT count(*) AS n FROM customer')).toBe(customers);
    const broken = (): Promise<CleanDataset> => Promise.reject(new Error('lost'));
    await expect(store.datasets.createWhileReading!('x', broken)).rejects.toThrow('lost');
    expect(await store.datasets.latest()).toEqual(before);
    const good = setWithDrops();
    expect((await store.datasets.createWhileReading!(good, (sink) => readDatasetDir(good, { sink }))).dataset.version).toBeGreaterThan(before!.version);
  });
});
