/**
 * What the weekly digest says, as plain data: who is at high risk now, what changed since the
 * previous digest, whom to call first and why. The chat layer turns it into text, a chart and a CSV.
 */
import type { Assistant } from '../assistant.ts';
import type { DigestRun } from '../ports.ts';
import { strongestReason, type Driver } from '../risk.ts';
import { offerFor, type OfferCode, type SegmentCode } from '../segments.ts';
import { periodFromKey, type DigestPeriod } from './period.ts';

export const TOP_CUSTOMERS = 10;
/** Customers newly at high risk named with their reason; the CSV lists them all. */
export const NEWCOMERS = 5;
/** Weeks on the trend chart, this one included: two months fit without crowding the labels. */
export const TREND_WEEKS = 8;

export interface DigestCustomer {
  id: number;
  probability: number;
  profit: number;
  /** probability × profit: the expected loss, the order of every call list. */
  priority: number;
  segments: SegmentCode[];
  offer: OfferCode;
  /** At high risk now but not in the previous digest. */
  isNew: boolean;
}

export interface DigestTopCustomer extends DigestCustomer {
  /** The strongest reason the risk is high (null if the model gave none). */
  driver: Driver | null;
}

export interface DigestView {
  period: DigestPeriod;
  model: { version: number; family: string; datasetVersion: number };
  atRisk: { count: number; profitAtStake: number; customers: DigestCustomer[] };
  /** Null for the first digest: nothing to compare with. */
  change: { since: DigestPeriod; delta: number; added: number[]; removed: number[] } | null;
  top: DigestTopCustomer[];
  /** The first customers newly at high risk since the previous digest, by expected loss, with their main reason. */
  newcomers: DigestTopCustomer[];
  /** Every segment but «at-risk» itself, in the usual order. */
  segments: { code: SegmentCode; size: number; profitAtStake: number }[];
  /** At-risk counts of earlier digests and this one, oldest first. */
  trend: { period: DigestPeriod; atRisk: number }[];
}

export interface DigestViewInput {
  assistant: Assistant;
  period: DigestPeriod;
  /** The latest digest of an earlier week. */
  previous: DigestRun | null;
  /** At-risk counts of earlier digests, oldest first. */
  history: { period: string; atRiskCount: number }[];
}

/** At-risk counts of the recorded digests before `period`, then `atRiskNow` for it, oldest first. */
export function weeklyTrend(
  history: readonly { period: string; atRiskCount: number }[],
  period: DigestPeriod,
  atRiskNow: number,
): { period: DigestPeriod; atRisk: number }[] {
  return [
    ...history.slice(-(TREND_WEEKS - 1)).map((h) => ({ period: periodFromKey(h.period), atRisk: h.atRiskCount })),
    { period, atRisk: atRiskNow },
  ];
}

/**
 * The driver to name as «why»: the strongest one that raises the risk. drivers[0] is the strongest
 * by magnitude and can be one that lowers it, which would read as the opposite of a reason. An
 * indirect signal («few service errors») is never the reason: the next driver is named instead.
 */
export function mainDriver(drivers: readonly Driver[]): Driver | null {
  return strongestReason(drivers) ?? drivers.find((d) => !d.indirect) ?? null;
}

/**
 * Reads the stored segments: the at-risk members in priority order (each with all its segments),
 * the other segments' aggregates, and explanations for the top customers only.
 */
export async function buildDigestView({ assistant, period, previous, history }: DigestViewInput): Promise<DigestView> {
  const { model } = await assistant.modelInfo();
  const summaries = await assistant.segments({ members: 0 });
  const atRisk = await assistant.segment('at-risk', { members: 'all' });
  const before = previous ? new Set(previous.atRiskIds) : null;
  const customers: DigestCustomer[] = atRisk.members.map((m) => ({
    id: m.customer.id,
    probability: m.probability,
    profit: m.customer.profit,
    priority: m.priority,
    segments: m.segments,
    offer: offerFor(m.segments),
    isNew: before !== null && !before.has(m.customer.id),
  }));
  const now = new Set(customers.map((c) => c.id));
  // Explanations cost up to ~0.1 s each for ensembles, so only the customers shown get one, once.
  const reasons = new Map<number, Driver | null>();
  const explained = async (c: DigestCustomer): Promise<DigestTopCustomer> => {
    if (!reasons.has(c.id)) reasons.set(c.id, mainDriver((await assistant.risk(c.id)).drivers));
    return { ...c, driver: reasons.get(c.id)! };
  };
  const top: DigestTopCustomer[] = [];
  for (const c of customers.slice(0, TOP_CUSTOMERS)) top.push(await explained(c));
  const newcomers: DigestTopCustomer[] = [];
  for (const c of customers.filter((x) => x.isNew).slice(0, NEWCOMERS)) newcomers.push(await explained(c));

  return {
    period,
    model: { version: model.version, family: model.family, datasetVersion: model.datasetVersion },
    atRisk: { count: customers.length, profitAtStake: atRisk.profitAtStake, customers },
    change:
      previous && before
        ? {
            since: periodFromKey(previous.period),
            delta: customers.length - previous.atRiskIds.length,
            added: customers.filter((c) => c.isNew).map((c) => c.id).sort((a, b) => a - b),
            removed: previous.atRiskIds.filter((id) => !now.has(id)).sort((a, b) => a - b),
          }
        : null,
    top,
    newcomers,
    segments: summaries
      .filter((s) => s.code !== 'at-risk')
      .map((s) => ({ code: s.code, size: s.size, profitAtStake: s.profitAtStake })),
    trend: weeklyTrend(history, period, customers.length),
  };
}
