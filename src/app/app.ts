/** The app built from config: the store, the core services, the renderers and the feature list. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../config.ts';
import { createAssistant } from '../core/assistant.ts';
import type { Logger } from '../core/ports.ts';
import { inProcessWork } from '../core/work.ts';
import { connectStore, csvDatasetReader, leaveCheckpointsToWorkers, spreadsheetWriter, storeTarget } from '../data/index.ts';
import { createDialogue, storedQuestions } from '../features/dialogue.ts';
import { bestEffortChatState } from './chatState.ts';
import { createFeatures } from '../features/registry.ts';
import { createLogger } from '../logger.ts';
import { CachingChartRenderer } from './charts/cache.ts';
import { ChartDiskCache, chartCacheDir } from './charts/diskCache.ts';
import { prerenderCharts, type PrerenderChunk, type PrerenderReport } from './charts/prerender.ts';
import { warmCharts } from './charts/warm.ts';
import { createChartRenderer } from './charts/index.ts';
import { nextDigestText } from './digest.ts';
import { uploadHelp } from './botServices.ts';
import { Offload, OFFLOADED_COMMANDS } from './offload.ts';
import { withRetrainLease } from './retrainLease.ts';
import { campaignDeps, campaignServices, type CampaignWiringOptions } from './campaign.ts';
import type { App } from './types.ts';

export type { App } from './types.ts';

/**
 * How long the bot's start waits for the workers to boot and warm up (app and served model loaded)
 * before it polls anyway (charts are then drawn here meanwhile).
 */
export const POOL_WAIT_MS = 2000;

/** How often a worker checkpoints the SQLite WAL for the event loop's connection (src/data/openStore.ts). */
const CHECKPOINT_MS = 30_000;

/** How often a running bot checks that the week has its plan. */
const WEEK_CHECK_MS = 10 * 60_000;

export interface BuildOptions extends CampaignWiringOptions {
  /** Bytes of rendered charts kept for reuse (default 32 MiB). */
  chartCacheBytes?: number;
  /** How long nobody must have asked anything before a chunk of charts is drawn ahead (default AHEAD_QUIET_MS). */
  aheadQuietMs?: number;
}

/** Quiet the bot needs before drawing charts ahead: a manager's next question is usually seconds away. */
export const AHEAD_QUIET_MS = 5000;

/**
 * Everything runs in place until `warm()`, which the bot calls before polling: it starts the
 * worker pool that takes exports, the digest, chart rendering and costly explanations off the
 * event loop. A worker builds the same app for itself and never warms it.
 */
export async function buildApp(config: Config, log: Logger = createLogger(), opts: BuildOptions = {}): Promise<App> {
  // RETENTION_DB names a SQLite file (created with its folder) or a PostgreSQL URL.
  const store = await connectStore(config.dbPath);
  const offload = new Offload(config, log);
  const work = offload.work(inProcessWork(store));
  const assistant = createAssistant({
    store,
    reader: csvDatasetReader,
    settings: { risk: config.risk, promoShare: config.promoShare, seed: config.seed, families: config.trainFamilies },
    log,
    work,
  });
  const renderer = createChartRenderer({ quickchartUrl: config.quickchartUrl, logger: log });
  // QuickChart renders on its own server: only local rendering goes to the pool.
  const quietMs = opts.aheadQuietMs ?? AHEAD_QUIET_MS;
  const diskDir = config.chartCache ? (config.chartCache.dir ?? chartCacheDir(storeTarget(config.dbPath))) : null;
  const disk = config.chartCache && diskDir ? new ChartDiskCache(diskDir, config.chartCache.maxBytes) : null;
  const charts = new CachingChartRenderer(renderer, {
    maxBytes: opts.chartCacheBytes,
    pool: () => (config.quickchartUrl ? null : offload.renderPool()),
    disk,
  });
  const campaign = campaignServices(campaignDeps({ store, assistant, config, work }, opts));
  const features = createFeatures({
    assistant,
    charts,
    thresholds: config.risk,
    subscribers: store.subscribers,
    nextDigest: nextDigestText(config),
    timeZone: config.digest.timezone,
    upload: uploadHelp(config),
    units: config.units,
    campaign,
    spreadsheets: spreadsheetWriter,
  }).map((f) => (OFFLOADED_COMMANDS.has(f.command) ? offload.feature(f) : f));
  const asked = createDialogue({ features, pending: storedQuestions(bestEffortChatState(store.chatState, log)), exampleId: assistant.exampleId, log });
  /** When a manager last asked something: drawing charts ahead waits for quiet. */
  let lastAsked = Date.now();
  const dialogue: typeof asked = {
    ...asked,
    handleText: (user, input) => ((lastAsked = Date.now()), asked.handleText(user, input)),
    handleCallback: (user, data) => ((lastAsked = Date.now()), asked.handleCallback(user, data)),
  };

  let weekTimer: NodeJS.Timeout | undefined;
  let checkpointTimer: NodeJS.Timeout | undefined;
  /** Draws this week's plan unless it is stored (at 1M customers a draw takes about half a second). */
  const prepareWeek = () =>
    campaign.planWeek().then(
      () => undefined,
      (err: Error) => log.warn('week plan not drawn yet', { error: err.message }),
    );

  const stopping = new AbortController();
  let aheadVersion: number | null = null;
  let ahead: Promise<PrerenderReport | null> = Promise.resolve(null);
  /** Draws the served model's /risk charts onto disk in the workers, once per model version, one run at a time. */
  const drawAhead = () => {
    if (!disk || !offload.running || stopping.signal.aborted) return;
    // Even at the lowest priority a chunk competes for memory, disk and SQLite with the answers (at
    // 1M the first /risk after a start took 42–92 ms instead of 38 with charts drawn meanwhile): it
    // waits until nobody has asked anything for AHEAD_QUIET_MS.
    const runChunk = async (chunk: PrerenderChunk, signal: AbortSignal) => {
      for (let wait = quietMs - (Date.now() - lastAsked); wait > 0 && !signal.aborted; wait = quietMs - (Date.now() - lastAsked)) {
        await delay(wait, undefined, { signal }).catch(() => undefined);
      }
      return (await offload.prerender(chunk, signal)) ?? { next: null, charts: 0, drawn: 0, bytes: 0 };
    };
    ahead = ahead
      .then(async (last) => {
        const modelVersion = stopping.signal.aborted ? null : await store.models.activeVersion();
        if (modelVersion === null || modelVersion === aheadVersion) return last;
        aheadVersion = modelVersion;
        try {
          return await prerenderCharts({ store, disk, log, runChunk }, stopping.signal);
        } finally {
          await offload.endAhead();
        }
      })
      .catch((err: Error) => {
        // Closing while a chunk runs ends here too; the next check tries again.
        if (!stopping.signal.aborted) log.warn('charts not drawn ahead', { error: err.message });
        aheadVersion = null;
        return null;
      });
  };

  async function warm(): Promise<void> {
    const t = performance.now();
    offload.start();
    if (offload.running && leaveCheckpointsToWorkers(store)) {
      checkpointTimer ??= setInterval(() => offload.checkpoint().catch((err: Error) => log.warn('checkpoint failed', { error: err.message })), CHECKPOINT_MS).unref();
    }
    if (await assistant.hasModel()) {
      await assistant.modelInfo(); // loads the active model
      // A model stored before segments were gets them built in a worker; nobody waits for it here.
      assistant.segments().catch((err: Error) => log.warn('segments not ready yet', { error: err.message }));
      await prepareWeek();
    }
    // Each week's plan is drawn by the first check of the week, not by the manager's first /risk of it.
    weekTimer ??= setInterval(() => void prepareWeek().then(drawAhead), WEEK_CHECK_MS).unref();
    // The first answers' charts are drawn in a worker once the workers have booted and loaded the app
    // and model (a second or two; a chart asked for meanwhile would queue behind a worker's warm-up);
    // if they have not within POOL_WAIT_MS, or there is no pool, they are drawn here, so warm this
    // thread's canvas.
    const pooled = offload.running && (await Promise.race([offload.whenWarm().then(() => true), delay(POOL_WAIT_MS, false)]));
    if (!pooled && !config.quickchartUrl) await warmCharts(renderer);
    // After the workers' warm-up, and counted from it: the first questions come right after a start.
    lastAsked = Date.now();
    drawAhead();
    log.info('warmed up', { ms: Math.round(performance.now() - t), workers: offload.running, workerReady: pooled });
  }

  return {
    config,
    store,
    assistant,
    campaign,
    charts,
    features,
    dialogue,
    log,
    offload,
    warm,
    prerendered: () => ahead,
    modelChanged: drawAhead,
    close: async () => {
      stopping.abort();
      clearInterval(weekTimer);
      clearInterval(checkpointTimer);
      await Promise.all([offload.close(), store.close()]);
    },
  };
}

/** A fresh install answers at once: the bundled demo data is ingested and trained on first start. */
export async function ensureModel(app: Pick<App, 'assistant' | 'config' | 'store' | 'log'>, onStage?: (stage: 'ingest' | 'train') => void): Promise<void> {
  if (await app.assistant.hasModel()) return;
  // Replicas starting together on an empty store: one trains, the others find its model.
  await withRetrainLease(app, async (confirm) => {
    if (await app.assistant.hasModel()) return;
    onStage?.('ingest');
    if (!(await app.assistant.latestDataset())) await app.assistant.ingestDir(app.config.demoDir);
    onStage?.('train');
    await app.assistant.train({ beforeSave: confirm });
  });
}
