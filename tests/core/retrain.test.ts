/**
 * One retrain at a time: a second upload waits for the first, says it is queued, and still runs
 * when the first fails — in one process through the retrainer's queue, across processes on one
 * store through the retrain lease.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseBusyError, LeaseTakenError } from '../../src/core/errors.ts';
import { createRetrainer, type RetrainStage } from '../../src/core/retrain.ts';
import type { ModelTrainer } from '../../src/core/ports.ts';
import { csvDatasetReader } from '../../src/data/index.ts';
import { sharedSqliteFile } from '../data/helpers.ts';
import { openStore, type SqliteStore } from '../../src/data/sqlite/store.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FILES = ['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv'];
const demo = Object.fromEntries(FILES.map((f) => [f, readFileSync(join('data', f))]));

let store: SqliteStore;
afterEach(() => store?.close());

function gate<T>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((open = res), (fail = rej)));
  return { promise, open, fail };
}

describe('retrainer queue', () => {
  it('runs one retrain at a time; the second waits, says so, and still runs after the first fails', async () => {
    store = openStore(':memory:');
    const first = gate<{ modelVersion: number }>();
    const trained: number[] = [];
    const trainer: ModelTrainer = {
      train: (datasetVersion) => {
        trained.push(datasetVersion);
        return trained.length === 1 ? first.promise : Promise.reject(new Error('second trainer ran'));
      },
    };
    const r = createRetrainer({ store, reader: csvDatasetReader, trainer, risk: { medium: 0.4, high: 0.7 } });
    const stages: RetrainStage[] = [];
    const one = r.run(demo, 'one');
    const two = r.run(demo, 'two', { onStage: (s) => void stages.push(s) });
    while (trained.length === 0) await new Promise((res) => setTimeout(res, 10));
    // Long enough for an unqueued second run to validate its files and reach the trainer.
    await new Promise((res) => setTimeout(res, 300));
    expect(stages).toEqual(['queued']);
    expect(trained).toEqual([1]);
    expect(r.busy).toBe(true);
    first.fail(new Error('first failed'));
    await expect(one).rejects.toThrow('first failed');
    await expect(two).rejects.toThrow('second trainer ran');
    expect(trained).toEqual([1, 2]);
    expect(stages).toEqual(['queued', 'validating', 'training']);
    expect(r.busy).toBe(false);
  });
});

describe('retrain lease: one retrain at a time across processes on one store', () => {
  let file: ReturnType<typeof sharedSqliteFile>;
  const open = () => file.open();
  beforeEach(() => {
    file = sharedSqliteFile('retrain-lease-');
  });
  afterEach(() => file.close());
  const risk = { medium: 0.4, high: 0.7 };
  const fast = { pollMs: 20, ttlMs: 300 };

  it('a second process’s retrain waits, says it is queued, and stores and trains its data set after the first', async () => {
    const [a, b] = [open(), open()];
    const first = gate<{ modelVersion: number }>();
    const trained: string[] = [];
    const trainer = (name: string): ModelTrainer => ({
      train: (v) => {
        trained.push(`${name}:v${v}`);
        return name === 'a' ? first.promise : Promise.reject(new Error('b trained'));
      },
    });
    const ra = createRetrainer({ store: a, reader: csvDatasetReader, trainer: trainer('a'), risk, lease: { owner: 'a', ...fast } });
    const rb = createRetrainer({ store: b, reader: csvDatasetReader, trainer: trainer('b'), risk, lease: { owner: 'b', ...fast } });
    const stages: RetrainStage[] = [];
    const one = ra.run(demo, 'one');
    while (trained.length === 0) await new Promise((res) => setTimeout(res, 10));
    const two = rb.run(demo, 'two', { onStage: (s) => void stages.push(s) });
    // Past the lease's ttl: the holder renews it, so the waiting process never takes it over.
    await new Promise((res) => setTimeout(res, 800));
    expect(stages).toEqual(['validating', 'queued']);
    expect(trained).toEqual(['a:v1']);
    expect((await b.datasets.list()).map((d) => d.version)).toEqual([1]); // b stores nothing while it waits
    first.fail(new Error('a failed'));
    await expect(one).rejects.toThrow('a failed');
    await expect(two).rejects.toThrow('b trained');
    expect(trained).toEqual(['a:v1', 'b:v2']);
    expect(stages).toEqual(['validating', 'queued', 'training']);
    expect(a.db.prepare('SELECT count(*) FROM lease').pluck().get()).toBe(0); // both released
  });

  it('gives up after the longest wait with LeaseBusyError, having stored nothing', async () => {
    const s = open();
    await open().leases.acquire('retrain', 'someone else', '9999-01-01T00:00:00.000Z', new Date().toISOString());
    const trainer: ModelTrainer = { train: () => Promise.reject(new Error('must not train')) };
    const r = createRetrainer({ store: s, reader: csvDatasetReader, trainer, risk, lease: { ...fast, maxWaitMs: 200 } });
    const err = await r.run(demo, 'late').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseBusyError);
    expect((err as LeaseBusyError).waitedMs).toBeGreaterThanOrEqual(200);
    expect(await s.datasets.list()).toEqual([]);
  });

  it('a lease taken over while training (this process stalled past its expiry) stops the training', async () => {
    const s = open();
    let started!: () => void;
    const training = new Promise<void>((res) => (started = res));
    const trainer: ModelTrainer = {
      train: (_v, signal) =>
        new Promise((_, reject) => {
          started();
          signal!.addEventListener('abort', () => reject(signal!.reason), { once: true });
        }),
    };
    const r = createRetrainer({ store: s, reader: csvDatasetReader, trainer, risk, lease: { owner: 'me', ...fast } });
    const run = r.run(demo, 'stalled');
    await training;
    open().db.prepare("UPDATE lease SET owner = 'usurper', until = '9999-01-01T00:00:00.000Z'").run();
    await expect(run).rejects.toBeInstanceOf(LeaseTakenError);
    expect(s.db.prepare('SELECT owner FROM lease').pluck().get()).toBe('usurper'); // not released: not ours
  }, 10_000);
});
