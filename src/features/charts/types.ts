import type { ChartConfiguration } from 'chart.js';

/**
 * What a builder returns and a renderer draws: a Chart.js 4 config made of plain data plus the
 * inline plugins of ./plugins.ts (self-contained functions, so QuickChart can receive them as text).
 * `options.aspectRatio` carries the height the builder wants (renderer.preferredSize).
 */
export type ChartConfig = ChartConfiguration<'bar'> | ChartConfiguration<'line'>;

export interface ChartSize {
  width: number;
  height: number;
}

export interface DriversChartInput {
  customerId: number;
  /** Where every explanation starts: the share of customers whose purchases fell (0..1). */
  baseRate: number;
  /** The probability the answer shows (0..1). The chart adds «прочие признаки» so the bars end exactly there. */
  probability: number;
  /** `value` is signed, in probability points as elsewhere in the core: 0.12 = «+12 п.п.». */
  drivers: { label: string; value: number }[];
}

export interface ImportanceChartInput {
  /** `share` in percent of the total importance (0..100); `direction` is a short phrase or null. */
  features: { label: string; share: number; direction: string | null }[];
  /** Under the title: what is left out («ещё 6 признаков — меньше 1% каждый»). */
  note?: string | null;
}

export interface SegmentsChartInput {
  /** Drawn in the given order, top to bottom. `shared` of `size` are also in another drawn segment. */
  segments: { title: string; size: number; shared: number; loss: number; lossLabel: string }[];
  /** Under the title: the at-risk total the segments are part of. */
  subtitle: string | null;
  lossAxis: string;
}

export interface MembersChartInput {
  title: string;
  subtitle: string | null;
  axis: string;
  /** The bars, top to bottom: `value` is the expected loss, `valueLabel` it written with its unit. */
  members: { label: string; value: number; valueLabel: string }[];
  /** Under the bars when not everyone fits: «и ещё 59 клиентов…». */
  more: string | null;
  /** Instead of the bars when there are none. */
  emptyNote: string;
}

export interface RiskDistributionChartInput {
  /** Probabilities in [0, 1]; non-finite values are ignored. */
  probabilities: ArrayLike<number>;
  threshold: number;
  /** Histogram bins over [0, 1] (default 20). */
  bins?: number;
}

export interface TrendChartInput {
  points: { label: string; atRisk: number }[];
}
