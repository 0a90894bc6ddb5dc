/**
 * Segments a retention manager acts on. Each rule is data-driven (quantiles of the current
 * data set) and carries an offer; the edges translate codes into Russian via messages.ts.
 */
import type { Customer } from './domain.ts';

export const SEGMENT_CODES = ['profitable', 'promo', 'cart', 'surfers', 'gadgets', 'at-risk'] as const;
export type SegmentCode = (typeof SEGMENT_CODES)[number];

export const GADGET_CATEGORIES = new Set(['Мелкая бытовая техника и электроника', 'Техника для красоты и здоровья']);

export interface ScoredCustomer {
  customer: Customer;
  probability: number;
}

export interface SegmentSettings {
  /** Risk above which a customer is «в зоне риска» (default 0.7). */
  highRisk: number;
  /** Behaviour segments only hold customers at least this risky: loyal customers need no retention offer. */
  mediumRisk: number;
  /** Promo share from which a customer is a promo hunter (default 0.5). */
  promoShare: number;
}

/** The segment settings of configured risk bands and promo share (Config, the assistant's and the campaign's settings). */
export const segmentSettingsOf = (s: { risk: { high: number; medium: number }; promoShare: number }): SegmentSettings => ({
  highRisk: s.risk.high,
  mediumRisk: s.risk.medium,
  promoShare: s.promoShare,
});

/** Cut-offs taken from the data set the customers belong to, so rules follow the data. */
export interface SegmentCutoffs {
  profitQ75: number;
  profitMean: number;
  unpaidQ75: number;
  categoriesQ75: number;
  pagesQ25: number;
  revenueMedian: number;
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function sortedValues(customers: readonly Customer[], pick: (c: Customer) => number): Float64Array {
  return Float64Array.from(customers, pick).sort();
}

export function segmentCutoffs(customers: readonly Customer[]): SegmentCutoffs {
  const profit = sortedValues(customers, (c) => c.profit);
  let profitSum = 0;
  for (const v of profit) profitSum += v;
  return {
    profitQ75: quantile(profit, 0.75),
    profitMean: customers.length ? profitSum / customers.length : 0,
    unpaidQ75: quantile(sortedValues(customers, (c) => c.unpaidItems), 0.75),
    categoriesQ75: quantile(sortedValues(customers, (c) => c.categoriesPerVisit), 0.75),
    pagesQ25: quantile(sortedValues(customers, (c) => c.pagesPerVisit), 0.25),
    revenueMedian: quantile(sortedValues(customers, (c) => c.revenueCurrent), 0.5),
  };
}

type Rule = (s: ScoredCustomer, cut: SegmentCutoffs, set: SegmentSettings) => boolean;

const atRisk: Rule = (s, _c, set) => s.probability > set.highRisk;
const worthRetaining: Rule = (s, _c, set) => s.probability >= set.mediumRisk;

/** Order matters: it is the order segments are listed and the first behaviour match picks the offer. */
export const SEGMENT_RULES: Record<SegmentCode, Rule> = {
  profitable: (s, cut, set) => atRisk(s, cut, set) && s.customer.profit >= cut.profitQ75,
  promo: (s, cut, set) =>
    worthRetaining(s, cut, set) && s.customer.promoShare >= set.promoShare && s.customer.profit > cut.profitMean,
  cart: (s, cut, set) => worthRetaining(s, cut, set) && s.customer.unpaidItems >= Math.max(1, cut.unpaidQ75),
  surfers: (s, cut, set) =>
    worthRetaining(s, cut, set) &&
    s.customer.categoriesPerVisit >= cut.categoriesQ75 &&
    s.customer.pagesPerVisit <= cut.pagesQ25 &&
    s.customer.revenueCurrent <= cut.revenueMedian,
  gadgets: (s, cut, set) => worthRetaining(s, cut, set) && GADGET_CATEGORIES.has(s.customer.popularCategory),
  'at-risk': atRisk,
};

/** Expected loss if the customer lapses: probability × profit, in the data's units. */
export function priority(s: ScoredCustomer): number {
  return s.probability * s.customer.profit;
}

export function segmentsOf(s: ScoredCustomer, cut: SegmentCutoffs, set: SegmentSettings): SegmentCode[] {
  return SEGMENT_CODES.filter((code) => SEGMENT_RULES[code](s, cut, set));
}

/** What one segment amounts to: the numbers /segment, the digest and the charts show. */
export interface SegmentAggregate {
  code: SegmentCode;
  size: number;
  share: number;
  meanRisk: number;
  /** Σ probability × profit over the members. */
  profitAtStake: number;
}

/** One customer of a segment, as the stored tables give it back. */
export interface SegmentMember {
  customer: Pick<Customer, 'id' | 'profit' | 'popularCategory'>;
  probability: number;
  /** probability × profit. */
  priority: number;
  /** Every segment this customer is in, in SEGMENT_CODES order. */
  segments: SegmentCode[];
}

/** How many customers are in exactly this combination of segments (and in no other). */
export interface SegmentCombination {
  /** SEGMENT_CODES order; never empty. */
  segments: SegmentCode[];
  customers: number;
}

/** Every segment's aggregates and how the segments overlap: what the overview chart draws. */
export interface SegmentOverview {
  segments: SegmentAggregate[];
  /** Every combination held by at least one customer; customers in no segment are not counted. */
  combinations: SegmentCombination[];
}

export interface SegmentSummary extends SegmentAggregate {
  /** Members by priority, highest first: the first page asked for (all of them only when asked). */
  members: SegmentMember[];
}

/**
 * The in-memory computation over every customer: the reference the stored tables are built to
 * equal (tests/core/segmentTables.test.ts), and the rules' unit tests' entry point.
 */
export function summarizeSegment(
  code: SegmentCode,
  all: readonly ScoredCustomer[],
  cut: SegmentCutoffs,
  set: SegmentSettings,
): SegmentAggregate & { members: (ScoredCustomer & { priority: number })[] } {
  const rule = SEGMENT_RULES[code];
  const members = all
    .filter((s) => rule(s, cut, set))
    .map((s) => ({ ...s, priority: priority(s) }))
    .sort((a, b) => b.priority - a.priority || a.customer.id - b.customer.id);
  return { code, ...aggregate(members.length, all.length, members), members };
}

function aggregate(size: number, population: number, ranked: Iterable<{ probability: number; priority: number }>) {
  let risk = 0;
  let stake = 0;
  for (const m of ranked) {
    risk += m.probability;
    stake += m.priority;
  }
  return { size, share: population ? size / population : 0, meanRisk: size ? risk / size : 0, profitAtStake: stake };
}

/** A customer's segments as a bit mask: bit i is SEGMENT_CODES[i]. */
export const segmentMask = (codes: readonly SegmentCode[]): number => codes.reduce((m, c) => m | (1 << SEGMENT_CODES.indexOf(c)), 0);
export const segmentsOfMask = (mask: number, codes: readonly SegmentCode[] = SEGMENT_CODES): SegmentCode[] =>
  codes.filter((_, i) => mask & (1 << i));

/**
 * Every segment of a scored data set, computed once (at train time, or once for a model stored
 * before segments were) and stored with the model: membership, the priority order and the
 * aggregates. Columns by customer index keep a million customers in a few typed arrays.
 */
export interface SegmentTables {
  settings: SegmentSettings;
  cutoffs: SegmentCutoffs;
  population: number;
  /** SEGMENT_CODES order. */
  aggregates: SegmentAggregate[];
  ids: Float64Array;
  probability: Float64Array;
  profit: Float64Array;
  /** Distinct popular categories, and each customer's index into them. */
  categories: string[];
  category: Uint16Array;
  /** segmentMask of each customer. */
  masks: Uint8Array;
  /** Per segment (SEGMENT_CODES order): customer indices by priority, highest first, ties by id. */
  order: Int32Array[];
  /**
   * Customer indices whose probability equals `settings.highRisk` exactly, in the same order: in the
   * high band (bandOf: ≥) but not at risk (the rule: >). Almost always empty; the week's call list
   * draws from the high band, so it reads these beside the at-risk order.
   */
  atThreshold: Int32Array;
  /** Customers per segment mask (index: the mask; SEGMENT_CODES bits); index 0 counts those in no segment. */
  combinations: Int32Array;
}

/**
 * The first `k` customers (row indices) of every segment's order and of the at-threshold list,
 * each once: whom the exports, the week's plan and the digest are about first.
 */
export function segmentHeads(tables: Pick<SegmentTables, 'order' | 'atThreshold'>, k: number): number[] {
  const heads = new Set<number>();
  for (const order of [...tables.order, tables.atThreshold]) for (const i of order.subarray(0, k)) heads.add(i);
  return [...heads];
}

export function buildSegmentTables(
  customers: readonly Customer[],
  probabilityOf: (index: number) => number,
  cut: SegmentCutoffs,
  set: SegmentSettings,
): SegmentTables {
  const n = customers.length;
  const ids = new Float64Array(n);
  const probability = new Float64Array(n);
  const profit = new Float64Array(n);
  const masks = new Uint8Array(n);
  const category = new Uint16Array(n);
  const categoryIndex = new Map<string, number>();
  const counts = new Int32Array(SEGMENT_CODES.length);
  const combinations = new Int32Array(1 << SEGMENT_CODES.length);
  const tied: number[] = [];
  const rules = SEGMENT_CODES.map((code) => SEGMENT_RULES[code]);
  for (let i = 0; i < n; i++) {
    const customer = customers[i];
    const s = { customer, probability: probabilityOf(i) };
    ids[i] = customer.id;
    probability[i] = s.probability;
    profit[i] = customer.profit;
    let c = categoryIndex.get(customer.popularCategory);
    if (c === undefined) categoryIndex.set(customer.popularCategory, (c = categoryIndex.size));
    category[i] = c;
    let mask = 0;
    for (let k = 0; k < rules.length; k++) {
      if (rules[k](s, cut, set)) {
        mask |= 1 << k;
        counts[k]++;
      }
    }
    masks[i] = mask;
    combinations[mask]++;
    if (s.probability === set.highRisk) tied.push(i);
  }
  const pr = new Float64Array(n);
  for (let i = 0; i < n; i++) pr[i] = probability[i] * profit[i];
  const byPriority = (a: number, b: number) => pr[b] - pr[a] || ids[a] - ids[b];
  const order = SEGMENT_CODES.map((_, k) => {
    const idx = new Int32Array(counts[k]);
    let j = 0;
    for (let i = 0; i < n; i++) if (masks[i] & (1 << k)) idx[j++] = i;
    return idx.sort(byPriority);
  });
  const aggregates = SEGMENT_CODES.map((code, k) => {
    const ranked = Array.from(order[k], (i) => ({ probability: probability[i], priority: pr[i] }));
    return { code, ...aggregate(order[k].length, n, ranked) };
  });
  const categories = [...categoryIndex.keys()];
  const atThreshold = Int32Array.from(tied).sort(byPriority);
  return {
    settings: { ...set },
    cutoffs: { ...cut },
    population: n,
    aggregates,
    ids,
    probability,
    profit,
    categories,
    category,
    masks,
    order,
    atThreshold,
    combinations,
  };
}

/** Offer code for one customer: behaviour first, then value, then plain risk. */
export type OfferCode = SegmentCode | 'keep';

export function offerFor(segments: readonly SegmentCode[]): OfferCode {
  const behaviour = segments.find((s) => s === 'cart' || s === 'promo' || s === 'surfers' || s === 'gadgets');
  return behaviour ?? segments.find((s) => s === 'profitable' || s === 'at-risk') ?? 'keep';
}
