/**
 * The campaign use cases as the features see them: plain functions over the app's store and
 * served model (wired in src/app/campaign.ts). Each feature takes the few it uses.
 */
import type { CampaignResults, OutreachInput, OutreachOutcome, PlanEntry, PlanStanding, WeekPlan } from '../core/campaign/index.ts';
import type { CustomerContact } from '../core/ports.ts';
import type { SegmentMember } from '../core/segments.ts';

export interface CampaignServices {
  /** This week's plan; drawn and stored on the first ask of the week. Throws NoModelError before any model. */
  planWeek(): Promise<WeekPlan>;
  /** A stored week's plan with today's statuses, null for a week never planned. */
  weekPlan(week: string): Promise<WeekPlan | null>;
  /** One customer's place in this week's plan (drawing the plan first when the week has none): what a /risk card shows. */
  standing(id: number): Promise<PlanStanding>;
  /** Records a call's outcome; throws CampaignError (no_plan, not_in_plan, held_out). */
  record(input: OutreachInput): Promise<OutreachOutcome>;
  results(): Promise<CampaignResults>;
  /** A segment's members as rows of the plan's columns, for exports. */
  segmentEntries(members: readonly SegmentMember[]): Promise<PlanEntry[]>;
  contact(id: number): Promise<CustomerContact | null>;
  crmUrl(id: number): string | null;
}
