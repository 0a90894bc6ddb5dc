/**
 * The bot's worker pool gives the same answers as doing the work in place: charts byte for byte,
 * exports, explanations, segment builds and whole digest runs. Compared against a second app on
 * the same store that never starts workers.
 */
import ExcelJS from 'exceljs';
import { getEventListeners } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { WorkerPool } from '../../src/app/workers/pool.ts';
import { buildApp, type App } from '../../src/app/app.ts';
import type { CachingChartRenderer } from '../../src/app/charts/cache.ts';
import { LocalChartRenderer } from '../../src/app/charts/localRenderer.ts';
import { deliverDigest } from '../../src/app/digest.ts';
import { botApiClient } from '../../src/app/digest.ts';
import { loadConfig } from '../../src/config.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import { drawn, type Answer, type LaterPhoto } from '../../src/core/reply.ts';
import type { SqliteStore } from '../../src/data/index.ts';
import { CONSOLE_USER } from '../../src/features/feature.ts';
import { createLogger } from '../../src/logger.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { startEmulator } from '../support/telegramEmulator.ts';
import { sampleCharts } from '../features/fixtures/chartSamples.ts';

let fx: Fixture;
/** The fixture's app, with its pool running. */
let pooled: App;
/** Another app on the same store, everything in place. */
let inPlace: App;

beforeAll(async () => {
  // Without drawing charts ahead (chartsAhead.test.ts), which would keep the workers busy here.
  fx = await trainedApp({ env: { TELEGRAM_BOT_TOKEN: '123456789:TEST-emulator-token', ALLOWED_USER_IDS: '601,602', CHART_CACHE_MB: '0' } });
  pooled = fx.app;
  await pooled.warm();
  await pooled.offload.whenReady();
  inPlace = await buildApp(loadConfig({ RETENTION_DB: fx.app.config.dbPath, CHART_OUT_DIR: fx.app.config.chartOutDir }), createLogger(() => undefined));
});
afterAll(async () => {
  await inPlace?.close();
  await fx?.dispose();
});

/** Which tasks went to a worker, so no test passes by quietly doing the work in place. */
let runs: MockInstance<WorkerPool['run']>;
beforeEach(async () => {
  runs = vi.spyOn(WorkerPool.prototype, 'run');
});
afterEach(() => runs.mockRestore());
const tasks = () => runs.mock.calls.map((c) => c[0]);

/** An answer's files as their cells: an .xlsx carries its write time, so its bytes differ from one second to the next. */
async function cells(replies: readonly Answer[]) {
  return Promise.all(
    (await drawn(replies)).map(async (r) => {
      if (r.type !== 'document') return bytes([r]);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(r.content as unknown as ArrayBuffer);
      return { fileName: r.fileName, caption: r.caption, sheets: wb.worksheets.map((ws) => ws.getSheetValues()) };
    }),
  );
}
const bytes = (replies: readonly Exclude<Answer, LaterPhoto>[]) => replies.map((r) => (r.type === 'text' || r.type === 'edit' ? r.text : r.type === 'photo' ? r.png : r.content));

describe('the worker pool', () => {
  it('draws charts byte for byte as this thread does, and caches them', async () => {
    const charts = pooled.charts as CachingChartRenderer;
    expect(pooled.offload.running).toBe(true);
    for (const [, build] of sampleCharts) {
      const drawn = charts.drawn;
      const viaPool = await pooled.charts.render(build());
      expect(viaPool).toEqual(await new LocalChartRenderer().render(build()));
      expect(charts.drawn).toBe(drawn + 1);
      expect(await pooled.charts.render(build())).toBe(viaPool);
      expect(charts.drawn).toBe(drawn + 1);
    }
    expect(tasks()).toEqual(sampleCharts.map(() => 'render'));
  });

  it('leaves no abort listener behind on a signal that outlives its tasks', async () => {
    // The app's own signal goes with every chunk of charts drawn ahead, hundreds per model.
    const signal = new AbortController().signal;
    const modelVersion = (await pooled.store.models.activeVersion())!;
    for (let i = 0; i < 12; i++) await pooled.offload.prerender({ modelVersion, from: 0, count: 1, bytes: 1 }, signal);
    expect(tasks()).toContain('prerender');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('answers /export and its button in a worker with the same file', async () => {
    const viaPool = await pooled.dialogue.handleText(CONSOLE_USER, '/export at-risk');
    expect(viaPool[0].type).toBe('document');
    expect(tasks()).toEqual(['feature']);
    expect(await cells(viaPool)).toEqual(await cells(await inPlace.dialogue.handleText(CONSOLE_USER, '/export at-risk')));
    const button = await pooled.dialogue.handleCallback(CONSOLE_USER, { kind: 'export', code: 'cart' });
    expect(await cells(button)).toEqual(await cells(await inPlace.dialogue.handleCallback(CONSOLE_USER, { kind: 'export', code: 'cart' })));
    // A coded error crosses the thread as itself: the dialogue words it as usual.
    expect(bytes(await drawn(await pooled.dialogue.handleText(CONSOLE_USER, '/export nonsense')))).toEqual(
      bytes(await drawn(await inPlace.dialogue.handleText(CONSOLE_USER, '/export nonsense'))),
    );
  });

  it('explains a customer of a cached-tier model in a worker, as this thread would', async () => {
    const db = (pooled.store as SqliteStore).db;
    const v = (await pooled.store.models.activeVersion())!;
    db.exec('DROP TRIGGER IF EXISTS model_immutable');
    db.prepare(`UPDATE model SET metrics = json_set(metrics, '$.explanations.tier', 'cached') WHERE version = ?`).run(v);
    const id = (await pooled.store.models.scores(v))[3].id;
    // As for a model too large to explain every customer at train time: nothing stored for it.
    db.prepare('DELETE FROM explanation WHERE model_version = ? AND id = ?').run(v, id);
    const fresh = await buildApp(pooled.config, createLogger(() => undefined));
    try {
      await fresh.warm();
      await fresh.offload.whenReady();
      const r = await fresh.assistant.risk(id);
      expect(await fresh.store.explanations.get(v, id)).not.toBeNull(); // cached for the next answer
      expect(tasks()).toContain('explain');
      const cached = (await fresh.store.explanations.get(v, id))!;
      expect(r.drivers.map((d) => d.feature)).toEqual(cached.slice(0, r.drivers.length).map((c) => c.feature));
    } finally {
      await fresh.close();
    }
  });

  it('leaves WAL checkpoints to the workers: the event loop never copies a worker\'s big write back itself', async () => {
    const main = (pooled.store as SqliteStore).db;
    expect(main.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // The app without workers (the console, the CLI) checkpoints as SQLite does by default.
    expect((inPlace.store as SqliteStore).db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await pooled.store.audit.record({ userId: 1, chatId: 1, action: 'checkpoint test' });
    await pooled.offload.checkpoint();
    expect(tasks()).toContain('checkpoint');
  });

  it('builds the segments of a model that has none in a worker', async () => {
    const before = await inPlace.assistant.segments({ members: 3 });
    (pooled.store as SqliteStore).db.exec('DELETE FROM segment_member; DELETE FROM segment_summary; DELETE FROM segment_combination; DELETE FROM segment_set;');
    const fresh = await buildApp(pooled.config, createLogger(() => undefined));
    try {
      await fresh.warm();
      expect(await fresh.assistant.segments({ members: 3 })).toEqual(before);
      expect(tasks()).toContain('segments');
    } finally {
      await fresh.close();
    }
  });

  it('runs a whole digest in a worker: every subscriber gets it, the bytes go up once', async () => {
    const tg = await startEmulator();
    const config = { ...pooled.config, telegramToken: tg.token, telegramApiRoot: tg.apiRoot };
    const app = await buildApp(config, createLogger(() => undefined));
    try {
      await app.warm();
      for (const chat of [601, 602]) {
        tg.createChat(chat);
        await app.store.subscribers.subscribe(chat, chat);
      }
      const report = await deliverDigest(app, botApiClient(config))(periodFromKey('2026-W48'), { trigger: 'schedule' });
      expect(report).toMatchObject({ outcome: 'done', counts: { sent: 2 } });
      expect(tasks()).toContain('deliverDigest');
      for (const chat of [601, 602]) expect(tg.sent(chat).map((m) => (m.text ? 'text' : m.photo ? 'photo' : 'document'))).toEqual(['text', 'photo', 'document']);
      const uploads = tg.calls.filter((c) => c.method === 'sendDocument').map((c) => Object.keys(c.files).length > 0);
      expect(uploads).toEqual([true, false]);
    } finally {
      await app.close();
      await tg.close();
    }
  });
});
