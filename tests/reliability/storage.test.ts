/**
 * Storage faults: a corrupted model row, a read-only database, a full disk. Each gives a clear error
 * or a documented fallback, and the store keeps serving what it served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/data/sqlite/store.ts';
import { DEMO_DIR, servedIds, trainedApp, type Fixture } from '../support/appFixture.ts';

let fx: Fixture;
/** A served customer, picked once the app is trained. */
let ID: number;
const ctx = { chatId: 1, userId: 1, isAdmin: true };
const db = () => (fx.app.store as SqliteStore).db;
const riskText = async () => (await fx.app.dialogue.handleText(ctx, `/risk ${ID}`)).map((r) => (r.type === 'text' ? r.text : r.type)).join('\n');

beforeAll(async () => {
  fx = await trainedApp({ dataDir: DEMO_DIR });
  ID = (await servedIds(fx.app))[0];
});
afterAll(async () => await fx?.dispose());

describe('a corrupted model row', () => {
  it('falls back to the previous version, reads the broken row once, and a rollback/retrain recovers', async () => {
    const v1 = (await fx.app.store.models.activeVersion())!;
    const answerV1 = await riskText();
    await fx.app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1, seed: 7 });
    const v2 = (await fx.app.store.models.activeVersion())!;
    expect(v2).toBeGreaterThan(v1);
    await riskText(); // v2 loaded and cached

    // Simulate a torn/garbled artifact (the table is immutable by trigger, so go around it).
    db().exec('DROP TRIGGER model_immutable');
    db().prepare('UPDATE model SET artifact = ? WHERE version = ?').run('{"format":"retention-model","x":[1,2', v2);
    db().exec("CREATE TRIGGER model_immutable BEFORE UPDATE ON model BEGIN SELECT RAISE(ABORT, 'model versions are immutable'); END;");

    // A new process (fresh cache) is what meets a corrupted row: build one over the same file.
    const { buildApp } = await import('../../src/app/app.ts');
    const { loadConfig } = await import('../../src/config.ts');
    const { createLogger } = await import('../../src/logger.ts');
    const logs: string[] = [];
    const other = await buildApp(loadConfig({ RETENTION_DB: fx.app.config.dbPath, CHART_OUT_DIR: fx.app.config.chartOutDir }), createLogger((l) => logs.push(l)));
    try {
      const answers = [];
      for (let k = 0; k < 3; k++) answers.push(await other.assistant.risk(ID));
      expect(answers.every((a) => a.modelVersion === v1)).toBe(true);
      const text = (await other.dialogue.handleText(ctx, `/risk ${ID}`)).map((r) => (r.type === 'text' ? r.text : r.type)).join('\n');
      expect(text).toBe(answerV1);
      expect((await other.assistant.segment('at-risk')).size).toBeGreaterThan(0);
      // The broken row is tried once per active pointer, not on every request.
      expect(logs.filter((l) => /failed to load/.test(l))).toHaveLength(1);
      expect(logs.some((l) => /older version/.test(l))).toBe(true);
    } finally {
      await other.close();
    }
    // Recovery 1: a retrain is not blocked by the corrupted active row, and replaces it.
    const { model: v3 } = await fx.app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 });
    expect(await fx.app.store.models.activeVersion()).toBe(v3.version);
    expect((await fx.app.assistant.risk(ID)).modelVersion).toBe(v3.version);
    // Recovery 2: a rollback points back at v1.
    await fx.app.assistant.useModel(v1);
    expect(await riskText()).toBe(answerV1);
  });
});

describe('a database that cannot be written', () => {
  it('read-only: ingest and train fail with a clear error, /risk keeps answering, nothing changes', async () => {
    const before = await riskText();
    const versions = { d: (await fx.app.store.datasets.list()).length, m: (await fx.app.store.models.list()).length };
    // As root, file permissions do not stop writes; query_only makes SQLite refuse them the same way.
    db().pragma('query_only = ON');
    try {
      await expect(fx.app.assistant.ingestDir(DEMO_DIR)).rejects.toThrow(/readonly|read-only/i);
      await expect(fx.app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 })).rejects.toThrow(/readonly|read-only/i);
      expect(await riskText()).toBe(before);
    } finally {
      db().pragma('query_only = OFF');
    }
    expect({ d: (await fx.app.store.datasets.list()).length, m: (await fx.app.store.models.list()).length }).toEqual(versions);
  });

  it('disk full: the ingest transaction rolls back with «database or disk is full», the store stays intact', async () => {
    const before = await riskText();
    const versions = { d: (await fx.app.store.datasets.list()).length, m: (await fx.app.store.models.list()).length };
    const pages = db().pragma('page_count', { simple: true }) as number;
    // max_page_count caps the file at its current size: the next big write hits SQLITE_FULL.
    db().pragma(`max_page_count = ${pages + 2}`);
    try {
      await expect(fx.app.assistant.ingestDir(DEMO_DIR)).rejects.toThrow(/disk is full/);
      await expect(fx.app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 })).rejects.toThrow(/disk is full/);
    } finally {
      db().pragma('max_page_count = 1073741823');
    }
    expect({ d: (await fx.app.store.datasets.list()).length, m: (await fx.app.store.models.list()).length }).toEqual(versions);
    expect(db().pragma('integrity_check', { simple: true })).toBe('ok');
    expect(await riskText()).toBe(before);
    // With space again the same ingest succeeds.
    await fx.app.assistant.ingestDir(DEMO_DIR);
    expect(await fx.app.store.datasets.list()).toHaveLength(versions.d + 1);
  });
});
