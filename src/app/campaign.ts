/**
 * The campaign use cases wired from the app: the store, the assistant's served model and the
 * configured capacity, control share, cooldown and CRM link. The features, the CLI and the digest
 * get these functions, never the store.
 */
import type { Config } from '../config.ts';
import type { Assistant } from '../core/assistant.ts';
import {
  campaignResults,
  crmUrl,
  currentWeek,
  planStanding,
  planWeek,
  recordOutreach,
  segmentEntries,
  storedPlan,
  weekPlan,
  type CampaignDeps,
  type CampaignSettings,
  type StoredPlan,
  type WeekPlan,
} from '../core/campaign/index.ts';
import type { BackgroundWork, Store } from '../core/ports.ts';
import type { CampaignServices } from '../features/campaignServices.ts';

export function campaignSettings(config: Pick<Config, 'campaign' | 'seed' | 'digest' | 'risk' | 'promoShare'>): CampaignSettings {
  return {
    capacity: config.campaign.capacity,
    controlShare: config.campaign.controlShare,
    cooldownDays: config.campaign.cooldownDays,
    seed: config.seed,
    // Weeks are the digest's weeks: a plan and the digest of one week agree on its days.
    timezone: config.digest.timezone,
    risk: config.risk,
    promoShare: config.promoShare,
    crmUrlTemplate: config.campaign.crmUrlTemplate,
  };
}

export interface CampaignWiringOptions {
  /** The clock weeks and call times are read from (tests). */
  now?: () => Date;
}

export function campaignDeps(
  parts: {
    store: Store;
    assistant: Pick<Assistant, 'activeModel' | 'segmentSet'>;
    config: Parameters<typeof campaignSettings>[0];
    /** Where the plan's explanations run (the worker pool once it runs); in place without it. */
    work?: Pick<BackgroundWork, 'explain'>;
  },
  opts: CampaignWiringOptions = {},
): CampaignDeps {
  return {
    store: parts.store,
    model: parts.assistant.activeModel,
    segments: { set: parts.assistant.segmentSet },
    work: parts.work,
    settings: campaignSettings(parts.config),
    now: opts.now,
  };
}

export function campaignServices(deps: CampaignDeps): CampaignServices {
  // This week's stored plan, read once: a plan is never overwritten, so only calls and contacts change.
  let frozen: StoredPlan | null = null;
  // One draw per week in this process: the first answers of a week all ask for the plan at once.
  const drawing = new Map<string, Promise<WeekPlan>>();
  const draw = (): Promise<WeekPlan> => {
    const week = currentWeek(deps);
    let p = drawing.get(week);
    if (!p) {
      p = planWeek(deps).finally(() => drawing.delete(week));
      drawing.set(week, p);
    }
    return p;
  };
  return {
    planWeek: draw,
    weekPlan: (week) => weekPlan(deps, week),
    async standing(id) {
      const week = currentWeek(deps);
      if (frozen?.plan.week !== week) frozen = (await storedPlan(deps, week)) ?? (await draw(), await storedPlan(deps, week));
      return planStanding(deps, frozen!, id);
    },
    record: (input) => recordOutreach(deps, input),
    results: () => campaignResults(deps.store),
    segmentEntries: (members) => segmentEntries(deps, members),
    contact: (id) => deps.store.contacts.get(id),
    crmUrl: (id) => crmUrl(deps.settings.crmUrlTemplate, id),
  };
}
