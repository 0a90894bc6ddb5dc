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

export interface SegmentSummary {
  code: SegmentCode;
  size: number;
  share: number;
  meanRisk: number;
  /** Σ probability × profit over the members. */
  profitAtStake: number;
  /** Members sorted by priority, highest first. */
  members: (ScoredCustomer & { priority: number })[];
}

export function summarizeSegment(
  code: SegmentCode,
  all: readonly ScoredCustomer[],
  cut: SegmentCutoffs,
  set: SegmentSettings,
): SegmentSummary {
  const rule = SEGMENT_RULES[code];
  const members = all
    .filter((s) => rule(s, cut, set))
    .map((s) => ({ ...s, priority: priority(s) }))
    .sort((a, b) => b.priority - a.priority || a.customer.id - b.customer.id);
  let risk = 0;
  let stake = 0;
  for (const m of members) {
    risk += m.probability;
    stake += m.priority;
  }
  return {
    code,
    size: members.length,
    share: all.length ? members.length / all.length : 0,
    meanRisk: members.length ? risk / members.length : 0,
    profitAtStake: stake,
    members,
  };
}

/** Offer code for one customer: behaviour first, then value, then plain risk. */
export type OfferCode = SegmentCode | 'keep';

export function offerFor(segments: readonly SegmentCode[]): OfferCode {
  const behaviour = segments.find((s) => s === 'cart' || s === 'promo' || s === 'surfers' || s === 'gadgets');
  return behaviour ?? segments.find((s) => s === 'profitable' || s === 'at-risk') ?? 'keep';
}
