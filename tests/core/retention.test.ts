/**
 * `retention gc`: old versions go, and what must stay stays — the active model (even after a
 * rollback to an old one), the last N versions, whatever a digest run or a campaign names, and
 * the data set of every model kept. Deleted versions leave no rows behind in any table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectGarbage, planRetention } from '../../src/core/retention.ts';
import type { VersionInventory } from '../../src/core/ports.ts';
import type { SqliteStore } from '../../src/data/index.ts';
import { trainedApp, type Fixture, DEMO_DIR } from '../support/appFixture.ts';

let fx: Fixture | undefined;
afterEach(() => fx?.dispose());

const inv = (over: Partial<VersionInventory>): VersionInventory => ({
  models: [],
  datasets: [],
  activeModel: null,
  referencedModels: [],
  referencedDatasets: [],
  ...over,
});
const model = (version: number, datasetVersion: number) => ({ version, datasetVersion, createdAt: '', rows: 10 });
const dataset = (version: number) => ({ version, createdAt: '', rows: 10 });

describe('the plan', () => {
  it('keeps the active model, the last N of each, the referenced ones and the data sets of kept models', async () => {
    const plan = planRetention(
      inv({
        models: [model(1, 1), model(2, 1), model(3, 2), model(4, 3), model(5, 4), model(6, 5)],
        datasets: [1, 2, 3, 4, 5, 6].map(dataset),
        activeModel: 2, // a rollback to an old model
        referencedModels: [3],
        referencedDatasets: [2],
      }),
      2,
    );
    expect(plan.keep.models).toEqual([
      { version: 2, why: ['active'] },
      { version: 3, why: ['referenced'] },
      { version: 5, why: ['recent'] },
      { version: 6, why: ['recent'] },
    ]);
    expect(plan.drop.models.map((m) => m.version)).toEqual([1, 4]);
    expect(plan.keep.datasets.map((d) => [d.version, d.why])).toEqual([
      [1, ['used by a kept model']],
      [2, ['referenced', 'used by a kept model']],
      [4, ['used by a kept model']],
      [5, ['recent', 'used by a kept model']],
      [6, ['recent']],
    ]);
    expect(plan.drop.datasets.map((d) => d.version)).toEqual([3]);
  });

  it('refuses to keep fewer than one version', async () => {
    expect(() => planRetention(inv({}), 0)).toThrow(RangeError);
  });
});

describe('on a store', () => {
  const count = (f: Fixture, sql: string) => (f.app.store as SqliteStore).db.prepare(sql).pluck().get() as number;

  it('deletes every row of the versions that go, keeps what answers, and a dry run changes nothing', async () => {
    fx = await trainedApp(); // dataset v1, model v1
    const { app } = fx;
    const train = async () => await app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 });
    await app.assistant.ingestDir(DEMO_DIR); // dataset v2
    (await train()); // model v2
    (await train()); // model v3
    await app.assistant.ingestDir(DEMO_DIR); // dataset v3
    (await train()); // model v4
    const db = (app.store as SqliteStore).db;
    // A digest run names model v2; a table another feature adds (a campaign) names model v1's data set.
    db.prepare(
      `INSERT INTO digest_run (period, trigger, started_at, model_version, dataset_version, at_risk_count, at_risk_ids) VALUES ('2026-W40', 'schedule', '', 2, 2, 0, '[]')`,
    ).run();
    db.exec('CREATE TABLE campaign (id INTEGER PRIMARY KEY, dataset_version INTEGER); INSERT INTO campaign (dataset_version) VALUES (1);');
    await app.assistant.useModel(3); // rollback: v3 is active
    const rows = () => ({
      models: count(fx!, 'SELECT count(*) FROM model'),
      scores: count(fx!, 'SELECT count(*) FROM score'),
      sets: count(fx!, 'SELECT count(*) FROM segment_set'),
      members: count(fx!, 'SELECT count(*) FROM segment_member'),
      datasets: count(fx!, 'SELECT count(*) FROM dataset'),
      customers: count(fx!, 'SELECT count(*) FROM customer'),
    });
    const before = rows();

    const dry = await collectGarbage(app.store, { keep: 1, dryRun: true });
    expect(rows()).toEqual(before);
    expect(dry.plan.drop.models.map((m) => m.version)).toEqual([1]);
    expect(dry.plan.drop.datasets).toEqual([]);

    const done = await collectGarbage(app.store, { keep: 1, dryRun: false });
    expect(done.plan).toEqual(dry.plan);
    expect((await app.store.models.list()).map((m) => m.version)).toEqual([2, 3, 4]);
    expect(count(fx, 'SELECT count(*) FROM score WHERE model_version = 1')).toBe(0);
    expect(count(fx, 'SELECT count(*) FROM segment_set WHERE model_version = 1')).toBe(0);
    expect(count(fx, 'SELECT count(*) FROM segment_member WHERE set_id NOT IN (SELECT id FROM segment_set)')).toBe(0);
    expect(count(fx, 'SELECT count(*) FROM segment_summary WHERE set_id NOT IN (SELECT id FROM segment_set)')).toBe(0);
    expect(rows().members).toBeLessThan(before.members);
    // Data set v1 lost its model but a campaign names it: it stays.
    expect((await app.store.datasets.list()).map((d) => d.version)).toEqual([1, 2, 3]);
    // The active model answers.
    const id = (await app.store.models.scores(3))[0].id;
    expect((await app.assistant.risk(id)).modelVersion).toBe(3);
    expect((await app.assistant.segments()).length).toBeGreaterThan(0);

    // Without the campaign and the digest run, the next gc takes data set v1 and model v2 with it.
    db.exec("DROP TABLE campaign; DELETE FROM digest_run WHERE period = '2026-W40';");
    const next = await collectGarbage(app.store, { keep: 1, dryRun: false, vacuum: true });
    expect(next.plan.drop.models.map((m) => m.version)).toEqual([2]);
    expect(next.plan.drop.datasets.map((d) => d.version)).toEqual([1]);
    expect(count(fx, 'SELECT count(*) FROM customer WHERE version = 1')).toBe(0);
    expect(count(fx, 'SELECT count(*) FROM dropped_customer WHERE version = 1')).toBe(0);
    expect((await app.store.datasets.list()).map((d) => d.version)).toEqual([2, 3]);
    expect(next.after.bytes).toBeLessThan(next.before.bytes);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('never deletes the active model, whatever the plan says', async () => {
    fx = await trainedApp();
    await expect(fx.app.store.retention.deleteModel((await fx.app.store.models.activeVersion())!)).rejects.toThrow(/active/);
    await expect(fx.app.store.retention.deleteDataset(1)).rejects.toThrow(/used by model/);
  });
});
