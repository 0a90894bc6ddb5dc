import type { LoadedModel } from '../activeModel.ts';
import type { BackgroundWork, SegmentSet, Store } from '../ports.ts';
import type { BandThresholds } from '../risk.ts';

export interface CampaignSettings {
  /** Calls a week can take (CAMPAIGN_CAPACITY). */
  capacity: number;
  /** Share of the candidates held out as the control group (CONTROL_SHARE), in [0, 1). */
  controlShare: number;
  /** Customers reached, or held out, this many days back are left out of a new plan (CONTACT_COOLDOWN_DAYS). */
  cooldownDays: number;
  /** Seed the weekly draws derive from (TRAIN_SEED). */
  seed: number;
  /** Weeks are ISO weeks on this calendar (DIGEST_TIMEZONE). */
  timezone: string;
  risk: BandThresholds;
  promoShare: number;
  /** CRM link per customer, `{id}` replaced by the id (CRM_URL_TEMPLATE). */
  crmUrlTemplate?: string;
}

export interface CampaignDeps {
  store: Store;
  /** The served model (an ActiveModel). */
  model: { get(): Promise<LoadedModel> };
  /**
   * The served model's stored segments (the assistant's, which builds missing ones off the event
   * loop); without it they are looked up, and built in place if missing.
   */
  segments?: { set(loaded: LoadedModel): Promise<SegmentSet> };
  /**
   * Where the plan's pool is explained (every feature, for the offer rule): a worker, so a model
   * whose explanations cost milliseconds (5.5 ms each for the 1M store's vote) does not hold the
   * event loop for the whole pool. Without it, the served model explains them in place.
   */
  work?: Pick<BackgroundWork, 'explain'>;
  settings: CampaignSettings;
  now?: () => Date;
}

export const DAY_MS = 86_400_000;
