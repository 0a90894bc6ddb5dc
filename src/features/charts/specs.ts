/** Chart configurations from use-case results, in Russian: what the bot, the console, the digest and `retention chart` draw. */
import { campaignChart, driversChart, importanceChart, riskDistributionChart, segmentsChart, trendChart } from './index.ts';
import { MAX_FEATURES } from './importance.ts';
import { membersChart, MAX_MEMBERS } from './members.ts';
import type { RiskAnswer } from '../../core/assistant.ts';
import { wilsonInterval, type ArmComparison, type WeekResult } from '../../core/campaign/index.ts';
import type { DigestPeriod } from '../../core/digest/period.ts';
import type { FeatureImportance } from '../../core/importance.ts';
import type { SegmentCode, SegmentOverview, SegmentSummary } from '../../core/segments.ts';
import * as M from '../../messages.ts';

/** The waterfall from the average customer's probability to this customer's, with the same drivers as the text. */
export const customerDriversChart = (r: Pick<RiskAnswer, 'customer' | 'probability' | 'baseRate' | 'drivers'>, units: M.MoneyUnits) =>
  driversChart({
    customerId: r.customer.id,
    baseRate: r.baseRate,
    probability: r.probability,
    drivers: r.drivers.map((d) => ({ label: M.driverCaption(d, units), value: d.contribution })),
  });

export function featureImportanceChart(top: readonly FeatureImportance[]) {
  const shares = M.importanceShares(top);
  const features = top.map((f, i) => {
    const direction = M.describeDirection(f);
    const marked = f.indirect ? (direction ? `${direction} (${M.CHART_TEXT.importance.notCause})` : M.CHART_TEXT.importance.notCause) : direction;
    return { label: M.featureLabel(f.feature), share: shares[i], direction: marked };
  });
  const drawn = features.filter((f) => f.share >= M.MIN_LISTED_SHARE).slice(0, MAX_FEATURES);
  const left = features.filter((f) => !drawn.includes(f));
  const leftShare = left.reduce((s, f) => s + f.share, 0);
  return importanceChart({ features: drawn, note: left.length ? M.CHART_TEXT.importance.rest(left.length, leftShare) : null });
}

/**
 * Every segment but «Все в зоне риска» (the total they are part of, named in the subtitle), with
 * their overlaps: a segment's «ещё и в другом» are its customers in at least one other drawn segment.
 */
export function segmentOverviewChart({ segments: all, combinations }: SegmentOverview, units: M.MoneyUnits) {
  const parts = all.filter((s) => s.code !== 'at-risk');
  const drawn = new Set(parts.map((s) => s.code));
  const shared = (code: SegmentCode) =>
    combinations.reduce((n, c) => (c.segments.includes(code) && c.segments.filter((x) => drawn.has(x)).length > 1 ? n + c.customers : n), 0);
  const atRisk = all.find((s) => s.code === 'at-risk');
  return segmentsChart({
    segments: parts.map((s) => ({
      title: M.SEGMENT_TEXT[s.code].title,
      size: s.size,
      shared: shared(s.code),
      loss: s.profitAtStake,
      lossLabel: M.fmtMoney(s.profitAtStake, units.profit),
    })),
    subtitle: atRisk
      ? M.CHART_TEXT.segments.subtitle(M.fmtCount(atRisk.size, M.NOUNS.customer), M.fmtMoney(atRisk.profitAtStake, units.profit))
      : null,
    lossAxis: M.CHART_TEXT.segments.lossAxis(units),
  });
}

/** One segment: its first customers by expected loss, with its size, share and loss at stake. */
export function segmentMembersChart(s: SegmentSummary, units: M.MoneyUnits) {
  const t = M.CHART_TEXT.segment;
  const shown = s.members.slice(0, MAX_MEMBERS);
  return membersChart({
    title: t.title(M.SEGMENT_TEXT[s.code].title),
    subtitle: t.subtitle(M.fmtCount(s.size, M.NOUNS.customer), `${M.fmtNumber(s.share * 100, 1)}%`, M.fmtMoney(s.profitAtStake, units.profit)),
    axis: t.axis(units),
    members: shown.map((m) => ({
      label: t.bar(m.customer.id, M.fmtProbability(m.probability)),
      value: m.priority,
      valueLabel: M.fmtMoney(m.priority, units.profit),
    })),
    more: s.size > shown.length ? t.more(s.size - shown.length) : null,
    emptyNote: t.empty,
  });
}

export const riskDistributionSpec = (probabilities: ArrayLike<number>, threshold: number) => riskDistributionChart({ probabilities, threshold });

export const atRiskTrendChart = (trend: readonly { period: DigestPeriod; atRisk: number }[]) =>
  trendChart({ points: trend.map((t) => ({ label: M.fmtWeekLabel(t.period), atRisk: t.atRisk })) });

/** A rate and its Wilson interval back from a comparison row's share and group size. */
const armRate = (rate: number | null, n: number) => {
  const ci = rate === null ? null : wilsonInterval(Math.round(rate * n), n);
  return rate === null || !ci ? null : { rate, low: ci.low, high: ci.high };
};

/** A measured week: treated against control, overall and per offer (intention to treat). */
export const campaignDeclineChart = (w: WeekResult) =>
  campaignChart({
    subtitle: M.CAMPAIGN.chart.subtitle(w.week),
    groups: [w.overall, ...w.offers].map((r: ArmComparison) => ({
      label: M.CAMPAIGN.chart.offer(r.offer),
      treated: armRate(r.treatedDecline, r.treated),
      control: armRate(r.controlDecline, r.control),
      conclusive: r.conclusive,
    })),
  });
