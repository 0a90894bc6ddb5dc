/** The retention campaign: weekly lists with a control group, outreach, and measured results. */
export { chooseOffer, DRIVER_OFFERS, type BehaviourOffer, type DriverContribution, type OfferChoice, type OfferInput } from './offer.ts';
export { newcombeInterval, wilsonInterval, Z95, type Interval } from './stats.ts';
export { drawArms, poolSize, rankEligible, weekSeed, type Candidate } from './selection.ts';
export {
  currentWeek,
  planStanding,
  planWeek,
  recordOutreach,
  storedPlan,
  weekPlan,
  weekPlanJson,
  weekProgress,
  type OutreachInput,
  type OutreachOutcome,
  type PlanEntry,
  type PlanStanding,
  type StoredPlan,
  type WeekPlan,
  type WeekProgress,
} from './plan.ts';
export {
  campaignResults,
  campaignResultsJson,
  compareArms,
  MIN_GROUP,
  type ArmComparison,
  type ArmResults,
  type CampaignResults,
  type Outcome,
  type WeekResult,
} from './results.ts';
export { crmUrl, importContactFiles, importContacts, readWithContacts, type ContactsImport } from './contacts.ts';
export { EXPLAINED_IN_EXPORT, planTable, PLAN_COLUMNS, segmentEntries, type PlanColumn, type PlanTableLabels } from './export.ts';
export { CampaignError } from './errors.ts';
export type { CampaignDeps, CampaignSettings } from './settings.ts';
