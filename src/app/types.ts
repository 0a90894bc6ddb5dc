/** What the app is made of; the wiring modules take the parts they use from here. */
import type { Config } from '../config.ts';
import type { Assistant } from '../core/assistant.ts';
import type { Logger, Store } from '../core/ports.ts';
import type { CachingChartRenderer } from './charts/cache.ts';
import type { PrerenderReport } from './charts/prerender.ts';
import type { Dialogue } from '../features/dialogue.ts';
import type { CampaignServices } from '../features/campaignServices.ts';
import type { Feature } from '../features/feature.ts';
import type { Offload } from './offload.ts';

export interface App {
  config: Config;
  store: Store;
  assistant: Assistant;
  /** The weekly call list, outreach and results. */
  campaign: CampaignServices;
  charts: CachingChartRenderer;
  features: readonly Feature[];
  dialogue: Dialogue;
  log: Logger;
  /** The worker pool and what goes to it; inert until warm(). */
  offload: Offload;
  /** Loads the active model and starts the worker pool: what the bot does before polling. */
  warm(): Promise<void>;
  /**
   * The latest drawing ahead of /risk charts (charts/prerender.ts), which warm() starts in the
   * workers and a new model starts again; null when none ran (no pool, no disk cache, no model).
   */
  prerendered(): Promise<PrerenderReport | null>;
  /** A new model is active (a retrain here): its charts are drawn ahead at once, not at the next check. */
  modelChanged(): void;
  close(): Promise<void>;
}
