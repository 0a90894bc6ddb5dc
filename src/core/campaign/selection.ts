/**
 * Who is on a week's list and who is held out. Pure: ranking, pool size and the seeded draw are
 * functions of their inputs, so a week's plan can be reproduced from what the plan row records.
 */
import { Rng, deriveSeed } from '../../ml/rng.ts';
import type { Customer } from '../domain.ts';
import type { ScoredCustomer } from '../segments.ts';

export interface Candidate {
  customer: Customer;
  probability: number;
  /** probability × profit. */
  expectedLoss: number;
}

/**
 * High-band customers (probability ≥ `high`) not in `excluded`, by expected loss, highest first
 * (ties: smaller id first, so the order never depends on the input order). The rule over every
 * scored customer: planWeek reads the same order from the stored segments (plan.ts highBandPool),
 * and tests hold the two equal.
 */
export function rankEligible(scored: readonly ScoredCustomer[], high: number, excluded: ReadonlySet<number>): Candidate[] {
  const out: Candidate[] = [];
  for (const s of scored) {
    if (!(s.probability >= high) || excluded.has(s.customer.id)) continue;
    out.push({ customer: s.customer, probability: s.probability, expectedLoss: s.probability * s.customer.profit });
  }
  return out.sort((a, b) => b.expectedLoss - a.expectedLoss || a.customer.id - b.customer.id);
}

/**
 * How many of the ranked customers the draw is made among: enough that after holding out
 * `controlShare` of them the capacity is still filled, ceil(capacity / (1 − share)).
 */
export function poolSize(capacity: number, controlShare: number): number {
  if (!(controlShare > 0)) return capacity;
  // The epsilon keeps 30 / (1 − 0.9) = 300.00000000000006 from becoming 301.
  return Math.ceil(capacity / (1 - controlShare) - 1e-9);
}

/** Seed of a week's draw: the configured seed and the ISO week, so a week always draws the same. */
export function weekSeed(seed: number, week: string): number {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new Error(`not an ISO week key: ${week}`);
  return deriveSeed(seed, Number(m[1]), Number(m[2]));
}

/**
 * Splits a pool of n ranked customers at random into treated and control (indexes, ascending).
 * Treated = min(capacity, n − round(n · share)); the rest is control. Every pool member has the
 * same chance to be held out, whatever its rank, so both arms come from one population.
 */
export function drawArms(n: number, capacity: number, controlShare: number, seed: number): { treated: number[]; control: number[] } {
  const treatedCount = Math.max(0, Math.min(capacity, n - Math.round(n * controlShare)));
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const byIndex = (a: number, b: number) => a - b;
  return {
    control: order.slice(0, n - treatedCount).sort(byIndex),
    treated: order.slice(n - treatedCount).sort(byIndex),
  };
}
