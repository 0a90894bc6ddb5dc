/**
 * One retrain at a time: a second upload waits for the first, says it is queued, and still runs
 * when the first fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRetrainer, type RetrainStage } from '../../src/core/retrain.ts';
import type { ModelTrainer } from '../../src/core/ports.ts';
import { csvDatasetReader } from '../../src/data/index.ts';
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
