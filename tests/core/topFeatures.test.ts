/**
 * /top_features reads the model row only: each feature's direction is measured at train time over
 * every training customer and its stored probability, and kept in the model's metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../../src/core/assistant.ts';
import { FEATURES } from '../../src/core/domain.ts';
import { featureValue } from '../../src/core/features.ts';
import type { Store } from '../../src/core/ports.ts';
import { csvDatasetReader, type SqliteStore } from '../../src/data/index.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { countingFullReads } from '../support/overriding.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(() => fx.dispose());

/** A store whose full reads are counted. */
const counting = (store: Store) => countingFullReads(store, { customers: 0, scores: 0 });

const pearson = (xs: number[], ys: number[]) => {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => ((sxy += (x - mx) * (ys[i] - my)), (sxx += (x - mx) ** 2), (syy += (ys[i] - my) ** 2)));
  return sxy / Math.sqrt(sxx * syy);
};

/** What /top_features computed per answer before: over every customer of the served data set and its stored score. */
async function referenceDirections(store: Store) {
  const version = (await store.models.activeVersion())!;
  const meta = (await store.models.meta(version))!;
  const scores = new Map((await store.models.scores(version)).map((s) => [s.id, s.probability]));
  const customers = await store.datasets.customers(meta.datasetVersion);
  const p = customers.map((c) => scores.get(c.id)!);
  const out: Record<string, unknown> = {};
  for (const f of FEATURES) {
    if (f.kind === 'numeric') {
      out[f.name] = { kind: 'numeric', correlation: pearson(customers.map((c) => c[f.name] as number), p) };
      continue;
    }
    const groups = new Map<string, { n: number; sum: number }>();
    customers.forEach((c, i) => {
      const g = groups.get(String(featureValue(c, f.name))) ?? { n: 0, sum: 0 };
      groups.set(String(featureValue(c, f.name)), { n: g.n + 1, sum: g.sum + p[i] });
    });
    const ranked = [...groups]
      .filter(([, g]) => g.n >= Math.max(5, customers.length * 0.02))
      .map(([value, g]) => ({ value, mean: g.sum / g.n }))
      .sort((a, b) => b.mean - a.mean || a.value.localeCompare(b.value));
    if (ranked.length >= 2) out[f.name] = { kind: 'categorical', riskiest: ranked[0].value, safest: ranked.at(-1)!.value };
  }
  return out;
}

describe('/top_features', () => {
  it('gives each feature the direction the stored scores show over every customer, measured at train time', async () => {
    const top = await fx.app.assistant.topFeatures();
    const ref = await referenceDirections(fx.app.store);
    expect(top.map((f) => f.feature).sort()).toEqual(FEATURES.map((f) => f.name).sort());
    for (const f of top) {
      const want = ref[f.feature] as { kind: string; correlation?: number } | undefined;
      if (want?.kind === 'numeric') {
        expect(f.direction).toMatchObject({ kind: 'numeric' });
        expect((f.direction as { correlation: number }).correlation).toBeCloseTo(want.correlation!, 12);
      } else expect(f.direction ?? undefined).toEqual(want);
    }
    expect(top.some((f) => f.direction?.kind === 'categorical')).toBe(true);
  });

  it('reads the model row only: no customer and no score', async () => {
    const c = counting(fx.app.store);
    const fresh = createAssistant({ store: c.store, reader: csvDatasetReader, settings: fx.app.assistant.settings });
    expect(await fresh.topFeatures()).toEqual(await fx.app.assistant.topFeatures());
    expect(c.calls).toEqual({ customers: 0, scores: 0 });
  });

  it('a model stored before directions were recorded answers without them, still reading nothing else', async () => {
    const db = (fx.app.store as SqliteStore).db;
    db.exec("DROP TRIGGER model_immutable; UPDATE model SET metrics = json_remove(metrics, '$.featureDirections');");
    const c = counting(fx.app.store);
    const fresh = createAssistant({ store: c.store, reader: csvDatasetReader, settings: fx.app.assistant.settings });
    const top = await fresh.topFeatures();
    expect(top.length).toBeGreaterThan(0);
    expect(top.every((f) => f.direction === null)).toBe(true);
    expect(c.calls).toEqual({ customers: 0, scores: 0 });
  });
});
