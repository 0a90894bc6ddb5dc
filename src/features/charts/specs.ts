/** Chart configurations from use-case results, in Russian: what the bot, the console, the digest and `retention chart` draw. */
import {
  driversChart,
  importanceChart,
  segmentsChart,
  trendChart,
} from './index.ts';
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
