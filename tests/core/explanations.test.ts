/**
 * Where a /risk answer's drivers come from: computed for the answer when that is cheap (a linear
 * model), precomputed at train time when affordable, otherwise computed once off the event loop and
 * cached per (model version, customer). The explainer is asked through one function.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAssistant } from '../../src/core/assistant.ts';
import { chooseTier, explainRows, ON_DEMAND_MS, precomputeExplanations, STORED_DRIVERS, type ExplanationInfo } from '../../src/core/explanations.ts';
import { toFrame } from '../../src/core/features.ts';
import type { BackgroundWork } from '../../src/core/ports.ts';
import { inProcessWork } from '../../src/core/work.ts';
import { csvDatasetReader, type SqliteStore } from '../../src/data/index.ts';
import { loadModel, type Model } from '../../src/ml/index.ts';
import { TrainedModel } from '../../src/ml/model.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../src/data/index.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';

let fx: Fixture | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await fx?.dispose();
  fx = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
  vi.restoreAllMocks();
});

/**
 * The tiers are for data sets too large to score out of fold (above `searchRows`); a small
 * `searchRows` puts these few hundred customers there.
 */
const AS_IF_LARGE = 100;

/**
 * KNN on a few hundred customers: the budget decides the tier, not the machine. Its explanations
 * take about ON_DEMAND_MS on a fast one, so the training clock says 5 ms each.
 */
async function knnApp(explainBudgetMs: number): Promise<Fixture> {
  dataDir = mkdtempSync(join(tmpdir(), 'explain-data-'));
  await synthesize({ customers: 300, seed: 3, outDir: dataDir });
  const f = await trainedApp({ dataDir, families: ['logistic'] });
  let clock = 0;
  const timer = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 2.5));
  try {
    await f.app.assistant.train({ families: ['knn'], folds: 3, repeats: 1, explainBudgetMs, searchRows: AS_IF_LARGE });
  } finally {
    timer.mockRestore();
  }
  return f;
}

const info = async (f: Fixture) => (await f.app.assistant.modelInfo()).model.metrics.explanations as ExplanationInfo;
const firstId = async (f: Fixture) => (await f.app.store.models.scores((await f.app.store.models.activeVersion())!))[0].id;
/** Explanations stored for the served model. */
const explanationRows = async (f: Fixture) =>
  (f.app.store as SqliteStore).db.prepare('SELECT count(*) FROM explanation WHERE model_version = ?').pluck().get(await f.app.store.models.activeVersion());

describe('the tier', () => {
  it('follows the measured cost: cheap → on demand; affordable for everyone → stored; else cached', async () => {
    expect(chooseTier(ON_DEMAND_MS, 1_000_000)).toBe('on-demand');
    expect(chooseTier(ON_DEMAND_MS + 0.1, 1000)).toBe('stored');
    expect(chooseTier(12, 1296)).toBe('stored');
    expect(chooseTier(12, 1296, 10_000)).toBe('cached');
    expect(chooseTier(130, 10_000)).toBe('cached');
  });

  it('is timed on a few customers and precomputes everyone only for stored, reusing the timed ones', async () => {
    let calls = 0;
    const fake = { explain: () => (calls++, [{ feature: 'a', contribution: 0.1 }]) } as unknown as Model;
    const X = { n: 100, columns: {} };
    const ids = Float64Array.from({ length: 100 }, (_, i) => 1000 + i);
    // 3 ms per explanation: 100 customers fit a 1 s budget, not a 0.1 s one.
    const stored = precomputeExplanations(fake, X, ids, { budgetMs: 1000, now: () => calls * 3 });
    expect(stored.info.tier).toBe('stored');
    expect(stored.rows.map((r) => r.id)).toEqual(Array.from(ids));
    expect(calls).toBe(100);
    calls = 0;
    const cached = precomputeExplanations(fake, X, ids, { budgetMs: 100, now: () => calls * 3 });
    expect(cached.info.tier).toBe('cached');
    expect(cached.rows).toEqual([]);
    expect(calls).toBe(16);
    // Under `cached`, the rows the first answers are about are explained all the same, each once.
    calls = 0;
    const heads = precomputeExplanations(fake, X, ids, { budgetMs: 100, now: () => calls * 3, first: [40, 7, 40] });
    expect(heads.info.tier).toBe('cached');
    expect(heads.rows.map((r) => r.id)).toEqual([1040, 1007]);
    expect(calls).toBe(18);
  });
});

describe('answers', () => {
  it('a linear model explains on demand: nothing stored, the answer asks the model once', async () => {
    fx = await trainedApp({ families: ['logistic'], searchRows: AS_IF_LARGE });
    expect((await info(fx)).tier).toBe('on-demand');
    expect((await explanationRows(fx))).toBe(0);
    const spy = vi.spyOn(TrainedModel.prototype, 'explain');
    const r = await fx.app.assistant.risk((await firstId(fx)));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(r.drivers).toHaveLength(5);
  });

  it('an affordable non-linear model stores every customer at train time and answers without the explainer', async () => {
    fx = await knnApp(Number.POSITIVE_INFINITY);
    const meta = (await fx.app.assistant.modelInfo()).model;
    expect((await info(fx))).toMatchObject({ tier: 'stored', drivers: STORED_DRIVERS });
    expect((await info(fx)).baseValue).toBeGreaterThan(0);
    expect((await explanationRows(fx))).toBe(meta.scoredCustomers);
    const id = (await firstId(fx));
    const spy = vi.spyOn(TrainedModel.prototype, 'explain');
    const r = await fx.app.assistant.risk(id);
    expect(spy).not.toHaveBeenCalled();
    // What was stored is what the explainer says for that customer.
    spy.mockRestore();
    const model = loadModel((await fx.app.store.models.get(meta.version))!.artifact);
    const customer = (await fx.app.store.datasets.customer(meta.datasetVersion, id))!;
    const direct = explainRows(model, toFrame([customer]), [0])[0];
    expect(r.drivers.map((d) => [d.feature, d.contribution])).toEqual(direct.slice(0, 5).map((d) => [d.feature, d.contribution]));
  });

  it('a costly model still stores the head of every segment at train time: the export of its first rows explains nobody', async () => {
    fx = await knnApp(0);
    const loaded = await fx.app.assistant.activeModel.get();
    const set = (await fx.app.assistant.segmentSet(loaded))!;
    const top = await fx.app.store.segments.members(set, 'at-risk', 0, 50);
    expect(top.length).toBeGreaterThan(10);
    for (const m of top) expect(await fx.app.store.explanations.get(loaded.meta.version, m.customer.id)).not.toBeNull();
    const spy = vi.spyOn(TrainedModel.prototype, 'explain');
    const rows = await fx.app.campaign.segmentEntries(top);
    expect(spy).not.toHaveBeenCalled();
    expect(rows.filter((r) => r.driver).length).toBeGreaterThan(0);
  });

  it('a costly model computes a customer once through BackgroundWork and reads the cache after', async () => {
    fx = await knnApp(0);
    expect((await info(fx)).tier).toBe('cached');
    // The heads of the segments are explained at train time; a customer outside them is not.
    const heads = (await explanationRows(fx)) as number;
    expect(heads).toBeGreaterThan(0);
    expect(heads).toBeLessThan(300);
    const local = inProcessWork(fx.app.store);
    const asked: number[][] = [];
    const work: BackgroundWork = { ...local, explain: (v, ids) => (asked.push([...ids]), local.explain(v, ids)) };
    const a = createAssistant({ store: fx.app.store, reader: csvDatasetReader, settings: fx.app.assistant.settings, work });
    const store = fx.app.store;
    const v = (await store.models.activeVersion())!;
    const unexplained = await Promise.all((await store.models.scores(v)).map(async (s) => ((await store.explanations.get(v, s.id)) ? null : s.id)));
    const id = unexplained.find((x) => x !== null)!;
    const [first, concurrent] = await Promise.all([a.risk(id), a.risk(id)]);
    const again = await a.risk(id);
    expect(asked).toEqual([[id]]);
    expect(concurrent.drivers).toEqual(first.drivers);
    expect(again.drivers).toEqual(first.drivers);
    expect((await explanationRows(fx))).toBe(heads + 1);
  });
});
