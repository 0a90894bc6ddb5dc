/** Chart configurations from use-case results, in Russian: what the bot, the console, the digest and `retention chart` draw. */
import {
  campaignChart,
  driversChart,
  importanceChart,
  segmentsChart,
  trendChart,
} from './index.ts';
import { wilsonInterval, type ArmComparison, type WeekResult } from '../../core/campaign/index.ts';
import type { DigestPeriod } from '../../core/digest/period.ts';
import type { Driver } from '../../core/risk.ts';
import type { SegmentSummary } from '../../core/segments.ts';
import * as M from '../../messages.ts';

export const customerDriversChart = (customerId: number, drivers: readonly Driver[]) =>
  driversChart({ customerId, drivers: drivers.map((d) => ({ label: M.describeDriver(d), value: d.contribution })) });

export const featureImportanceChart = (top: readonly { feature: string; importance: number }[]) =>
  importanceChart({ features: top.map((f) => ({ label: M.featureLabel(f.feature), importance: f.importance })) });

export const segmentSizesChart = (all: readonly SegmentSummary[]) =>
  segmentsChart({ segments: all.map((s) => ({ title: M.SEGMENT_TEXT[s.code].title, size: s.size, profitAtStake: s.profitAtStake })) });

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
