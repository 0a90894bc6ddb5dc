/**
 * Did the campaign work? Each planned week's list is compared with its control group on the
 * data set that came after the plan's: the share whose activity is «Снизилась» and the change in
 * current-month revenue. Both arms were drawn from the same ranked pool, so the difference is the
 * campaign's effect, up to chance — which the interval states.
 */
import type { Customer } from '../domain.ts';
import type { CampaignMember, CampaignOffer, CampaignPlan, Store } from '../ports.ts';
import { SEGMENT_CODES } from '../segments.ts';
import { newcombeInterval } from './stats.ts';

/** Below this many measured customers in either arm a row is shown but called inconclusive. */
export const MIN_GROUP = 30;

/** Treated against control for one offer (or 'all'). Rates are shares of the measured members. */
export interface ArmComparison {
  offer: CampaignOffer | 'all';
  treated: number;
  control: number;
  treatedDecline: number | null;
  controlDecline: number | null;
  /** controlDecline − treatedDecline: positive when fewer treated customers declined. */
  uplift: number | null;
  /** 95% Newcombe hybrid score interval of the uplift. */
  ciLow: number | null;
  ciHigh: number | null;
  /** Mean change of current-month revenue, treated minus control (data set units). */
  revenueDiff: number | null;
  /** False while either arm has fewer than MIN_GROUP measured customers. */
  conclusive: boolean;
}

export interface ArmResults {
  overall: ArmComparison;
  /** One row per offer present in the plan, in segment order. */
  offers: ArmComparison[];
}

export interface WeekResult extends ArmResults {
  week: string;
  /** The data set the plan was drawn on, and the newer one outcomes come from. */
  datasetVersion: number;
  outcomeVersion: number;
  /**
   * Reached-only: treated customers whose latest outcome is «offered», against the whole control.
   * Secondary: who picks up the phone is not random, so this mixes the offer's effect with who was reachable.
   */
  reached: ArmResults;
  /** Members without an outcome (missing from the newer data set or without a label there). */
  unmeasured: number;
}

export interface CampaignResults {
  /** Weeks with an outcome data set, oldest first. Main numbers: intention to treat (everyone on the list). */
  campaigns: WeekResult[];
  /** Weeks planned on the newest data set, waiting for the next one. */
  pending: string[];
}

export interface Outcome {
  declined: boolean;
  /** Current-month revenue in the outcome data set minus that in the plan's. */
  revenueChange: number;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** One comparison row from the outcomes of each arm. */
export function compareArms(offer: ArmComparison['offer'], treated: readonly Outcome[], control: readonly Outcome[]): ArmComparison {
  const xT = treated.filter((o) => o.declined).length;
  const xC = control.filter((o) => o.declined).length;
  const ci = newcombeInterval(xC, control.length, xT, treated.length);
  const revT = mean(treated.map((o) => o.revenueChange));
  const revC = mean(control.map((o) => o.revenueChange));
  return {
    offer,
    treated: treated.length,
    control: control.length,
    treatedDecline: treated.length ? xT / treated.length : null,
    controlDecline: control.length ? xC / control.length : null,
    uplift: ci?.difference ?? null,
    ciLow: ci?.low ?? null,
    ciHigh: ci?.high ?? null,
    revenueDiff: revT === null || revC === null ? null : revT - revC,
    conclusive: treated.length >= MIN_GROUP && control.length >= MIN_GROUP,
  };
}

interface Measured {
  member: CampaignMember;
  outcome: Outcome;
}

function armResults(treated: readonly Measured[], control: readonly Measured[]): ArmResults {
  const outcomes = (ms: readonly Measured[]) => ms.map((m) => m.outcome);
  const present = new Set([...treated, ...control].map((m) => m.member.offer));
  const offers = SEGMENT_CODES.filter((code): code is CampaignOffer => present.has(code as CampaignOffer)).map((offer) =>
    compareArms(
      offer,
      outcomes(treated.filter((m) => m.member.offer === offer)),
      outcomes(control.filter((m) => m.member.offer === offer)),
    ),
  );
  return { overall: compareArms('all', outcomes(treated), outcomes(control)), offers };
}

function outcomeOf(before: Customer | null, after: Customer | null): Outcome | null {
  if (!before || !after || after.label === null) return null;
  return { declined: after.label === 1, revenueChange: after.revenueCurrent - before.revenueCurrent };
}

async function weekResult(store: Store, plan: CampaignPlan, outcomeVersion: number): Promise<WeekResult> {
  const offered = new Set((await store.campaigns.outreach(plan.week)).filter((o) => o.status === 'offered').map((o) => o.customerId));
  const treated: Measured[] = [];
  const control: Measured[] = [];
  let unmeasured = 0;
  for (const member of await store.campaigns.members(plan.week)) {
    const [before, after] = await Promise.all([
      store.datasets.customer(plan.datasetVersion, member.customerId),
      store.datasets.customer(outcomeVersion, member.customerId),
    ]);
    const outcome = outcomeOf(before, after);
    if (!outcome) unmeasured++;
    else (member.arm === 'treated' ? treated : control).push({ member, outcome });
  }
  return {
    week: plan.week,
    datasetVersion: plan.datasetVersion,
    outcomeVersion,
    ...armResults(treated, control),
    reached: armResults(
      treated.filter((m) => offered.has(m.member.customerId)),
      control,
    ),
    unmeasured,
  };
}

/**
 * Every stored week's results. A week is measured on the first data set newer than its plan's
 * (the period right after the campaign, before later weeks' calls blur it), or on
 * `outcomeVersion` when given and newer; otherwise it is pending.
 */
export async function campaignResults(store: Store, opts: { outcomeVersion?: number } = {}): Promise<CampaignResults> {
  const versions = (await store.datasets.list()).map((d) => d.version);
  const out: CampaignResults = { campaigns: [], pending: [] };
  for (const plan of await store.campaigns.plans()) {
    const against =
      opts.outcomeVersion !== undefined
        ? versions.find((v) => v === opts.outcomeVersion && v > plan.datasetVersion)
        : versions.find((v) => v > plan.datasetVersion);
    if (against === undefined) out.pending.push(plan.week);
    else out.campaigns.push(await weekResult(store, plan, against));
  }
  return out;
}

const rowJson = (r: ArmComparison) => ({
  offer: r.offer,
  treated: r.treated,
  control: r.control,
  treated_decline: r.treatedDecline,
  control_decline: r.controlDecline,
  uplift: r.uplift,
  ci_low: r.ciLow,
  ci_high: r.ciHigh,
  revenue_diff: r.revenueDiff,
  conclusive: r.conclusive,
});

const armsJson = (a: ArmResults) => ({ overall: rowJson(a.overall), offers: a.offers.map(rowJson) });

/** The machine-readable form (`--json`): snake_case rows `{offer, treated, control, treated_decline, …, conclusive}`. */
export function campaignResultsJson(r: CampaignResults) {
  return {
    campaigns: r.campaigns.map((w) => ({
      week: w.week,
      dataset_version: w.datasetVersion,
      outcome_version: w.outcomeVersion,
      ...armsJson(w),
      reached: armsJson(w.reached),
      unmeasured: w.unmeasured,
    })),
    pending: r.pending,
  };
}
