/**
 * The weekly action list: who to call this week with which offer, who is held out, and what
 * came of the calls. A week's plan is drawn once and stored; asking again returns it unchanged.
 */
import { periodOf } from '../digest/period.ts';
import { toFrame } from '../features.ts';
import type { LoadedModel } from '../activeModel.ts';
import { Portfolio } from '../portfolio.ts';
import type { CampaignMember, CampaignOffer, CampaignPlan, CustomerContact, Outreach, OutreachStatus, SegmentSet, Store } from '../ports.ts';
import { bandOf, driverOf, type Band, type Driver } from '../risk.ts';
import type { FeatureStats } from '../training.ts';
import { segmentSettingsOf, segmentsOf, type SegmentCode, type SegmentMember, type SegmentSettings } from '../segments.ts';
import { inProcessWork } from '../work.ts';
import { crmUrl } from './contacts.ts';
import { CampaignError } from './errors.ts';
import { chooseOffer, type DriverContribution } from './offer.ts';
import { drawArms, poolSize, weekSeed, type Candidate } from './selection.ts';
import { DAY_MS, type CampaignDeps } from './settings.ts';

export interface PlanEntry {
  id: number;
  rank: number;
  probability: number;
  band: Band;
  profit: number;
  expectedLoss: number;
  offer: CampaignMember['offer'];
  /**
   * The driver the offer addresses (null: the offer follows from the value segment), with the
   * customer's value and the typical one, so it can be worded like a /risk driver.
   */
  driver: Driver | null;
  segments: SegmentCode[];
  /** Latest recorded outcome this week, null while nobody has called. */
  status: OutreachStatus | null;
  contactedAt: string | null;
  contact: CustomerContact | null;
  crmUrl: string | null;
}

export interface WeekProgress {
  week: string;
  /** Customers on the list (treated). */
  planned: number;
  /** Of them, with any outcome recorded («сделано 12 из 30»). */
  done: number;
  offered: number;
  noAnswer: number;
  declined: number;
}

export interface WeekPlan extends CampaignPlan {
  /** The list to work through, by expected loss; control members are never in it. */
  entries: PlanEntry[];
  /** How many candidates are held out as the control group. */
  heldOut: number;
  /**
   * The held-out customers with the offer they would have got. Never shown to managers (calling
   * them spoils the measurement); only the machine-readable plan carries them, for `retention
   * synth --next-period` and analysts.
   */
  control: { id: number; offer: CampaignOffer }[];
  progress: WeekProgress;
}

const clock = (deps: { now?: () => Date }) => (deps.now ?? (() => new Date()))();


/** ISO week key of now in the campaign's time zone. */
export function currentWeek(deps: Pick<CampaignDeps, 'settings' | 'now'>): string {
  return periodOf(clock(deps), deps.settings.timezone).key;
}

/**
 * This week's plan: the stored one, or a new one drawn from the served model's scores and stored.
 * Eligible: the high band, minus customers reached (offered or declined) or held out within the
 * cooldown. The top ceil(capacity / (1 − share)) by expected loss form the pool; control is drawn
 * from the pool at random (seeded by the week), the rest is the list. Each pool member, in either
 * arm, gets one offer from chooseOffer.
 */
export async function planWeek(deps: CampaignDeps): Promise<WeekPlan> {
  const week = currentWeek(deps);
  const stored = await weekPlan(deps, week);
  if (stored) return stored;
  const { plan, members } = await draftPlan(deps, week);
  // A concurrent planner may have stored the week first: its plan wins, ours is dropped.
  await deps.store.campaigns.create(plan, members);
  return (await weekPlan(deps, week))!;
}

/** A stored week's plan with today's statuses and contacts; null when the week was never planned. */
export async function weekPlan(deps: Pick<CampaignDeps, 'store' | 'settings'>, week: string): Promise<WeekPlan | null> {
  const { store } = deps;
  const stored = await storedPlan(deps, week);
  if (!stored) return null;
  const { plan, stats } = stored;
  // Members in the store's order, by rank.
  const members = [...stored.members.values()];
  const treated = members.filter((m) => m.arm === 'treated');
  const outreach = new Map((await store.campaigns.outreach(week)).map((o) => [o.customerId, o]));
  const contacts = new Map((await store.contacts.byIds(treated.map((m) => m.customerId))).map((c) => [c.id, c]));
  const entries = await Promise.all(treated.map((m) => planEntry(deps, plan, m, stats, outreach.get(m.customerId), contacts.get(m.customerId) ?? null)));
  const control = members.filter((m) => m.arm === 'control').map((m) => ({ id: m.customerId, offer: m.offer }));
  return { ...plan, entries, heldOut: control.length, control, progress: await weekProgress(store, week) };
}

/** Where one customer stands in a week's plan: on the list (its entry and place), held out, or not in it. */
export type PlanStanding =
  | { week: string; arm: 'treated'; entry: PlanEntry; place: number; listed: number }
  | { week: string; arm: 'control' }
  | { week: string; arm: null };

/** What never changes once a week's plan is stored (plans are never overwritten): read once per week. */
export interface StoredPlan {
  plan: CampaignPlan;
  members: ReadonlyMap<number, CampaignMember>;
  /** Place on the call list (1 = call first) of each treated member. */
  places: ReadonlyMap<number, number>;
  stats: FeatureStats;
}

/** A stored week's plan as StoredPlan; null when the week was never planned. */
export async function storedPlan(deps: Pick<CampaignDeps, 'store'>, week: string): Promise<StoredPlan | null> {
  const { store } = deps;
  const plan = await store.campaigns.plan(week);
  if (!plan) return null;
  const members = await store.campaigns.members(week);
  const treated = members.filter((m) => m.arm === 'treated'); // members() is by rank
  return {
    plan,
    members: new Map(members.map((m) => [m.customerId, m])),
    places: new Map(treated.map((m, i) => [m.customerId, i + 1])),
    stats: await featureStats(store, plan),
  };
}

/**
 * One customer's standing in a stored week's plan: a /risk card asks it every time, so beside the
 * plan read once a week (StoredPlan) it reads that customer alone, its call status and contact.
 */
export async function planStanding(deps: Pick<CampaignDeps, 'store' | 'settings'>, stored: StoredPlan, id: number): Promise<PlanStanding> {
  const { store } = deps;
  const week = stored.plan.week;
  const member = stored.members.get(id);
  if (!member) return { week, arm: null };
  if (member.arm === 'control') return { week, arm: 'control' };
  const outreach = (await store.campaigns.outreach(week)).find((o) => o.customerId === id);
  const entry = await planEntry(deps, stored.plan, member, stored.stats, outreach, await store.contacts.get(id));
  return { week, arm: 'treated', entry, place: stored.places.get(id)!, listed: stored.places.size };
}

const featureStats = async (store: Store, plan: CampaignPlan): Promise<FeatureStats> =>
  ((await store.models.meta(plan.modelVersion))?.metrics as { featureStats?: FeatureStats } | undefined)?.featureStats ?? {};

async function planEntry(
  deps: Pick<CampaignDeps, 'store' | 'settings'>,
  plan: CampaignPlan,
  m: CampaignMember,
  stats: FeatureStats,
  o: Outreach | undefined,
  contact: CustomerContact | null,
): Promise<PlanEntry> {
  const { settings } = deps;
  const customer = m.driver === null ? null : await deps.store.datasets.customer(plan.datasetVersion, m.customerId);
  return {
    id: m.customerId,
    rank: m.rank,
    probability: m.probability,
    band: bandOf(m.probability, settings.risk),
    profit: m.profit,
    expectedLoss: m.expectedLoss,
    offer: m.offer,
    driver: customer && m.driver !== null ? driverOf(customer, stats, m.driver, m.driverContribution ?? 0) : null,
    segments: m.segments,
    status: o?.status ?? null,
    contactedAt: o?.at ?? null,
    contact,
    crmUrl: crmUrl(settings.crmUrlTemplate, m.customerId),
  };
}

async function draftPlan(deps: CampaignDeps, week: string): Promise<{ plan: CampaignPlan; members: CampaignMember[] }> {
  const { store, settings } = deps;
  const loaded = await deps.model.get();
  const { meta } = loaded;
  const segSettings = segmentSettingsOf(settings);
  const set = await segmentSetFor(deps, loaded, segSettings);
  const cutoffs = loaded.cutoffs ?? set.cutoffs;
  const now = clock(deps);
  const since = new Date(now.getTime() - settings.cooldownDays * DAY_MS).toISOString();
  const excluded = new Set([...(await store.campaigns.contactedSince(since)), ...(await store.campaigns.heldOutSince(since))]);

  const size = poolSize(settings.capacity, settings.controlShare);
  const { pool, eligible } = await highBandPool(store, set, size, excluded);
  const seed = weekSeed(settings.seed, week);
  const control = new Set(drawArms(pool.length, settings.capacity, settings.controlShare, seed).control);
  const drivers = await poolDrivers(deps, loaded, pool);
  const members = pool.map((c, i): CampaignMember => {
    const choice = chooseOffer({ customer: c.customer, probability: c.probability, drivers: drivers[i], indirect: loaded.indirect }, cutoffs, segSettings);
    return {
      customerId: c.customer.id,
      arm: control.has(i) ? 'control' : 'treated',
      rank: i + 1,
      probability: c.probability,
      profit: c.customer.profit,
      expectedLoss: c.expectedLoss,
      offer: choice.offer,
      driver: choice.driver,
      driverContribution: choice.contribution,
      segments: segmentsOf(c, cutoffs, segSettings),
    };
  });
  const plan: CampaignPlan = {
    week,
    createdAt: now.toISOString(),
    modelVersion: meta.version,
    datasetVersion: meta.datasetVersion,
    capacity: settings.capacity,
    controlShare: settings.controlShare,
    cooldownDays: settings.cooldownDays,
    seed,
    eligible,
  };
  return { plan, members };
}

/**
 * The served model's stored segments under the campaign's thresholds: the assistant's (built off
 * the event loop when missing) when they are the same thresholds, as the app wires them; otherwise
 * looked up, and built here (a full read, once) when missing.
 */
async function segmentSetFor(deps: CampaignDeps, loaded: LoadedModel, settings: SegmentSettings): Promise<SegmentSet> {
  const same = (s: SegmentSettings) => s.highRisk === settings.highRisk && s.mediumRisk === settings.mediumRisk && s.promoShare === settings.promoShare;
  const served = await deps.segments?.set(loaded);
  if (served && same(served.settings)) return served;
  return new Portfolio(deps.store, inProcessWork(deps.store), settings).set(loaded);
}

/** Every feature's contribution for each pool member under the served model: in a worker when the app runs one. */
async function poolDrivers(deps: CampaignDeps, loaded: LoadedModel, pool: readonly Candidate[]): Promise<readonly DriverContribution[][]> {
  if (deps.work) {
    const explained = await deps.work.explain(loaded.meta.version, pool.map((c) => c.customer.id), { every: true });
    return explained.map((e) => e.drivers);
  }
  const X = toFrame(pool.map((c) => c.customer));
  return pool.map((_, i) => loaded.model.explain(X, i));
}

/**
 * The first `size` high-band customers (probability ≥ the high threshold) not in `excluded`, by
 * expected loss, highest first, ties by id — rankEligible's order — and how many such customers
 * there are. Read from the stored segment order: the at-risk members (> the threshold) merged
 * with the few exactly at it, each read once up to `size + |excluded|` (no more can be skipped);
 * `eligible` takes off only the excluded customers who are in the high band (a score lookup each).
 * The pool's customers are then read whole, by primary key.
 */
async function highBandPool(store: Store, set: SegmentSet, size: number, excluded: ReadonlySet<number>): Promise<{ pool: Candidate[]; eligible: number }> {
  const limit = size + excluded.size;
  const [atRisk, tied, aggregates] = await Promise.all([
    store.segments.members(set, 'at-risk', 0, limit),
    store.segments.atThreshold(set, 0, limit),
    store.segments.aggregates(set),
  ]);
  const ranked: SegmentMember[] = [];
  for (let a = 0, t = 0; ranked.length < limit && (a < atRisk.length || t < tied.length); ) {
    const x = atRisk[a];
    const y = tied[t];
    const takeTied = x === undefined || (y !== undefined && (y.priority > x.priority || (y.priority === x.priority && y.customer.id < x.customer.id)));
    ranked.push(takeTied ? tied[t++] : atRisk[a++]);
  }
  const chosen = ranked.filter((m) => !excluded.has(m.customer.id)).slice(0, size);
  const pool = await Promise.all(
    chosen.map(async (m): Promise<Candidate> => {
      const customer = await store.datasets.customer(set.datasetVersion, m.customer.id);
      if (!customer) throw new Error(`customer ${m.customer.id} of segment set ${set.id} is not in data set v${set.datasetVersion}`);
      return { customer, probability: m.probability, expectedLoss: m.priority };
    }),
  );
  const highBand = (aggregates.find((a) => a.code === 'at-risk')?.size ?? 0) + set.atThreshold;
  const high = set.settings.highRisk;
  let excludedHigh = 0;
  for (const id of excluded) {
    const p = await store.models.score(set.modelVersion, id);
    if (p !== null && p >= high) excludedHigh++;
  }
  return { pool, eligible: highBand - excludedHigh };
}

/** Counts of a week's calls; all zero for a week without a plan. */
export async function weekProgress(store: Store, week: string): Promise<WeekProgress> {
  const counts = await store.campaigns.progress(week);
  return { week, ...counts, done: counts.offered + counts.noAnswer + counts.declined };
}

export interface OutreachInput {
  customerId: number;
  status: OutreachStatus;
  userId: number;
  chatId: number;
  /** The plan's week (buttons carry it, so a press after midnight on Sunday lands in the right week); default: this week. */
  week?: string;
}

export interface OutreachOutcome {
  outreach: Outreach;
  /** True when this press replaced an earlier outcome for the same customer and week. */
  replaced: boolean;
  progress: WeekProgress;
}

/**
 * Records what came of calling a customer on a week's list. A second press for the same
 * (week, customer) replaces the first: the latest outcome is the one that counts, and every press
 * stays in the audit log. Throws CampaignError for a week without a plan, a customer not on the
 * list, or a held-out (control) customer.
 */
export async function recordOutreach(deps: Pick<CampaignDeps, 'store' | 'settings' | 'now'>, input: OutreachInput): Promise<OutreachOutcome> {
  const { store } = deps;
  const week = input.week ?? currentWeek(deps);
  if (!(await store.campaigns.plan(week))) throw new CampaignError('no_plan', week);
  const member = await store.campaigns.member(week, input.customerId);
  if (!member) throw new CampaignError('not_in_plan', week, input.customerId);
  if (member.arm === 'control') throw new CampaignError('held_out', week, input.customerId);
  const outreach: Outreach = {
    week,
    customerId: input.customerId,
    status: input.status,
    offer: member.offer,
    userId: input.userId,
    at: clock(deps).toISOString(),
  };
  const replaced = await store.campaigns.recordOutreach(outreach);
  await store.audit.record({ userId: input.userId, chatId: input.chatId, action: `campaign ${week} ${input.customerId} ${input.status}` });
  return { outreach, replaced, progress: await weekProgress(store, week) };
}

/**
 * The machine-readable form of a week's plan (`retention plan --json`): `week`, `capacity`,
 * `control_share`, the list in `customers` (`id`, `probability`, `profit`, `expected_loss`,
 * `offer`, `driver`, `status`, and `contacts` only for customers that have any) and the held-out
 * `control` (`id`, `offer`), plus how it was drawn and how far the calls got. Call times and CRM
 * links are in the spreadsheet export.
 */
export function weekPlanJson(plan: WeekPlan) {
  return {
    week: plan.week,
    capacity: plan.capacity,
    control_share: plan.controlShare,
    created_at: plan.createdAt,
    model_version: plan.modelVersion,
    dataset_version: plan.datasetVersion,
    eligible: plan.eligible,
    held_out: plan.heldOut,
    progress: { planned: plan.progress.planned, done: plan.progress.done, offered: plan.progress.offered, no_answer: plan.progress.noAnswer, declined: plan.progress.declined },
    customers: plan.entries.map((e) => ({
      id: e.id,
      probability: e.probability,
      profit: e.profit,
      expected_loss: e.expectedLoss,
      offer: e.offer,
      driver: e.driver,
      status: e.status,
      ...(e.contact ? { contacts: { name: e.contact.name, phone: e.contact.phone, email: e.contact.email } } : {}),
    })),
    control: plan.control.map((c) => ({ id: c.id, offer: c.offer })),
  };
}
