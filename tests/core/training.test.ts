import { afterEach, describe, expect, it } from 'vitest';
import { rocAuc } from '../../src/ml/index.ts';
import { createAssistant } from '../../src/core/assistant.ts';
import { csvDatasetReader } from '../../src/data/index.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { overriding } from '../support/overriding.ts';

let fx: Fixture | undefined;
afterEach(() => fx?.dispose());

describe('training use case', () => {
  it('stores honest out-of-fold scores for the customers the model learned from', async () => {
    // A forest scoring its own training rows ranks them almost perfectly; stored scores must not.
    fx = await trainedApp({ families: ['forest'] });
    const { store, assistant } = fx.app;
    const info = await assistant.modelInfo();
    const customers = await store.datasets.customers(info.model.datasetVersion);
    const scores = new Map((await store.models.scores(info.model.version)).map((s) => [s.id, s.probability]));
    const y = customers.map((c) => c.label!);
    const p = customers.map((c) => scores.get(c.id)!);
    const storedAuc = rocAuc(y, p);
    expect(Math.abs(storedAuc - info.model.cvAuc)).toBeLessThan(0.03);
    expect(storedAuc).toBeLessThan(0.97);
  });

  it('keeps the previous model answering when a retrain switches versions, and rolls back', async () => {
    fx = await trainedApp();
    const { assistant } = fx.app;
    const first = (await assistant.modelInfo()).model.version;
    const second = (await assistant.train({ families: ['logistic'], folds: 3, repeats: 1 })).model.version;
    expect(second).toBe(first + 1);
    expect((await assistant.modelInfo()).model.version).toBe(second);
    await assistant.useModel(first);
    expect((await assistant.modelInfo()).model.version).toBe(first);
    expect((await assistant.listModels()).find((m) => m.active)?.version).toBe(first);
  });

  it('answers /risk and segment questions without loading the whole data set (cut-offs and segments are stored with the model)', async () => {
    fx = await trainedApp();
    const { store, assistant } = fx.app;
    let fullLoads = 0;
    const counting = overriding(store, { datasets: { customers: async (v) => (fullLoads++, await store.datasets.customers(v)) } });
    const fresh = createAssistant({ store: counting, reader: csvDatasetReader, settings: assistant.settings });
    const id = (await store.models.scores((await store.models.activeVersion())!))[0].id;
    const answer = await fresh.risk(id);
    expect(fullLoads).toBe(0);
    expect(answer.segments).toEqual((await assistant.risk(id)).segments);
    await fresh.segment('at-risk', { members: 'all' });
    await fresh.segments();
    expect(fullLoads).toBe(0);
  });

  it('resolves the active model once per /risk answer, so a switch midway cannot mix two models', async () => {
    fx = await trainedApp();
    const { store, assistant } = fx.app;
    let pointerReads = 0;
    const counting = overriding(store, { models: { activeVersion: async () => (pointerReads++, await store.models.activeVersion()) } });
    const fresh = createAssistant({ store: counting, reader: csvDatasetReader, settings: assistant.settings });
    const id = (await store.models.scores((await store.models.activeVersion())!))[0].id;
    await fresh.risk(id);
    pointerReads = 0;
    await fresh.risk(id);
    expect(pointerReads).toBe(1);
  });
});
