/** What the app is made of; the wiring modules take the parts they use from here. */
import type { Config } from '../config.ts';
import type { Assistant } from '../core/assistant.ts';
import type { Logger, Store } from '../core/ports.ts';
import type { ChartRenderer } from '../features/charts/index.ts';
import type { Dialogue } from '../features/dialogue.ts';
import type { CampaignServices } from '../features/campaignServices.ts';
import type { Feature } from '../features/feature.ts';

export interface App {
  config: Config;
  store: Store;
  assistant: Assistant;
  /** The weekly call list, outreach and results. */
  campaign: CampaignServices;
  charts: ChartRenderer;
  features: readonly Feature[];
  dialogue: Dialogue;
  log: Logger;
  close(): void;
}
