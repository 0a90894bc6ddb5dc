/** The app built from config: the store, the core services, the renderers and the feature list. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.ts';
import { createAssistant } from '../core/assistant.ts';
import type { Logger } from '../core/ports.ts';
import { csvDatasetReader, openStore, spreadsheetWriter } from '../data/index.ts';
import { createDialogue } from '../features/dialogue.ts';
import { createFeatures } from '../features/registry.ts';
import { createLogger } from '../logger.ts';
import { createChartRenderer } from './charts/index.ts';
import { nextDigestText } from './digest.ts';
import { uploadHelp } from './botServices.ts';
import { campaignDeps, campaignServices, type CampaignWiringOptions } from './campaign.ts';
import type { App } from './types.ts';

export type { App } from './types.ts';


export function buildApp(config: Config, log: Logger = createLogger(), opts: CampaignWiringOptions = {}): App {
  if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  const store = openStore(config.dbPath);
  const assistant = createAssistant({
    store,
    reader: csvDatasetReader,
    settings: { risk: config.risk, promoShare: config.promoShare, seed: config.seed },
    log,
  });
  const charts = createChartRenderer({ quickchartUrl: config.quickchartUrl, logger: log });
  const campaign = campaignServices(campaignDeps({ store, assistant, config }, opts));
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
  });
  const dialogue = createDialogue({ features, exampleId: assistant.exampleId, log });
  return { config, store, assistant, campaign, charts, features, dialogue, log, close: () => store.close() };
}

/** A fresh install answers at once: the bundled demo data is ingested and trained on first start. */
export async function ensureModel(app: Pick<App, 'assistant' | 'config'>, onStage?: (stage: 'ingest' | 'train') => void): Promise<void> {
  if (app.assistant.hasModel()) return;
  onStage?.('ingest');
  if (!app.assistant.latestDataset()) await app.assistant.ingestDir(app.config.demoDir);
  onStage?.('train');
  app.assistant.train();
}
