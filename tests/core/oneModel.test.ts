/**
 * One model behind each answer: the probability /risk shows and the drivers it lists come from the
 * same model, so base + Σ contributions is the shown probability for every customer — no rescaling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedApp, type Fixture } from '../support/appFixture.ts';

let fx: Fixture;
beforeAll(async () => {
  // KNN's refit scores its own training rows differently from the fold model, so a mismatch shows.
  fx = await trainedApp({ families: ['knn'] });
});
afterAll(async () => await fx?.dispose());

describe('one model behind each answer', () => {
  it('the shown probability is the base plus every contribution, for every customer', async () => {
    const { store, assistant } = fx.app;
    const version = (await store.models.activeVersion())!;
    const ids = (await store.models.scores(version)).map((s) => s.id);
    let worst = 0;
    for (const id of ids.slice(0, 300)) {
      const r = await assistant.risk(id);
      const sum = r.baseRate + r.contributions!.reduce((a, c) => a + c.contribution, 0);
      worst = Math.max(worst, Math.abs(sum - r.probability));
    }
    expect(worst).toBeLessThan(0.01);
    // Every feature is kept, so `retention risk --json` can list them all.
    expect((await assistant.risk(ids[0])).contributions?.length).toBeGreaterThan(10);
  });

  it('the base is the model’s mean prediction, near the share of «Снизилась», not an average customer’s score', async () => {
    const { store, assistant } = fx.app;
    const version = (await store.models.activeVersion())!;
    const [first] = await store.models.scores(version);
    const r = await assistant.risk(first.id);
    const ds = (await store.datasets.get((await store.models.meta(version))!.datasetVersion))!;
    expect(Math.abs(r.baseRate - ds.positives / ds.customersKept)).toBeLessThan(0.05);
  });
});
