/** The app built from config: the store, the core services, the renderers and the feature list. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.ts';
import { createAssistant } from '../core/assistant.ts';
import type { Logger } from '../core/ports.ts';
import { inProcessWork } from '../core/work.ts';
import { csvDatasetReader, openStore } from '../data/index.ts';
import { driversChart, importanceChart, riskDistributionChart, segmentsChart, trendChart, type ChartConfig } from '../features/charts/index.ts';
import { createDialogue } from '../features/dialogue.ts';
import { createFeatures } from '../features/registry.ts';
import { createLogger } from '../logger.ts';
import { CachingChartRenderer } from './charts/cache.ts';
import { createChartRenderer } from './charts/index.ts';
import { nextDigestText } from './digest.ts';
import { uploadHelp } from './botServices.ts';
import { Offload, OFFLOADED_COMMANDS } from './offload.ts';
import type { App } from './types.ts';

export type { App } from './types.ts';

/** One chart of every kind, drawn at start so none pays Chart.js's first-use cost in an answer. */
const WARM_CHARTS: readonly ChartConfig[] = [
  driversChart({ customerId: 1, drivers: [{ label: 'a', value: 0.1 }, { label: 'b', value: -0.1 }] }),
  importanceChart({ features: [{ label: 'a', importance: 0.1 }] }),
  segmentsChart({ segments: [{ title: 'a', size: 1, profitAtStake: 1 }] }),
  riskDistributionChart({ probabilities: [0.1, 0.9], threshold: 0.7 }),
  trendChart({ points: [{ label: 'a', atRisk: 1 }, { label: 'b', atRisk: 2 }] }),
];

export interface BuildOptions {
  /** Bytes of rendered charts kept for reuse (default 32 MiB). */
  chartCacheBytes?: number;
}

/**
 * Everything runs in place until `warm()`, which the bot calls before polling: it starts the
 * worker pool that takes exports, the digest, chart rendering and costly explanations off the
 * event loop. A worker builds the same app for itself and never warms it.
 */
export function buildApp(config: Config, log: Logger = createLogger(), opts: BuildOptions = {}): App {
  if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  const store = openStore(config.dbPath);
  const offload = new Offload(config, log);
  const assistant = createAssistant({
    store,
    reader: csvDatasetReader,
    settings: { risk: config.risk, promoShare: config.promoShare, seed: config.seed },
    log,
    work: offload.work(inProcessWork(store)),
  });
  const renderer = createChartRenderer({ quickchartUrl: config.quickchartUrl, logger: log });
  // QuickChart renders on its own server: only local rendering goes to the pool.
  const charts = new CachingChartRenderer(renderer, {
    maxBytes: opts.chartCacheBytes,
    pool: () => (config.quickchartUrl ? null : offload.renderPool()),
  });
  const features = createFeatures({
    assistant,
    charts,
    thresholds: config.risk,
    subscribers: store.subscribers,
    nextDigest: nextDigestText(config),
    timeZone: config.digest.timezone,
    upload: uploadHelp(config),
  }).map((f) => (OFFLOADED_COMMANDS.has(f.command) ? offload.feature(f) : f));
  const dialogue = createDialogue({ features, exampleId: assistant.exampleId, log });

  async function warm(): Promise<void> {
    offload.start();
    if (!assistant.hasModel()) return;
    const t = performance.now();
    assistant.topFeatures(); // loads the active model
    // A model stored before segments were gets them built in a worker; nobody waits for it here.
    assistant.segments().catch((err: Error) => log.warn('segments not ready yet', { error: err.message }));
    // Drawn on this thread too, for the answers drawn here while the workers boot (a second or two).
    if (!config.quickchartUrl) for (const chart of WARM_CHARTS) await renderer.render(chart);
    log.info('warmed up', { ms: Math.round(performance.now() - t), workers: offload.running });
  }

  return {
    config,
    store,
    assistant,
    charts,
    features,
    dialogue,
    log,
    offload,
    warm,
    close: () => {
      void offload.close();
      store.close();
    },
  };
}

/** A fresh install answers at once: the bundled demo data is ingested and trained on first start. */
export async function ensureModel(app: Pick<App, 'assistant' | 'config'>, onStage?: (stage: 'ingest' | 'train') => void): Promise<void> {
  if (app.assistant.hasModel()) return;
  onStage?.('ingest');
  if (!app.assistant.latestDataset()) await app.assistant.ingestDir(app.config.demoDir);
  onStage?.('train');
  app.assistant.train();
}
