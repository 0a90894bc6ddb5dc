import type { ChartConfiguration } from 'chart.js';

/**
 * What a builder returns and a renderer draws: a Chart.js 4 config made of plain data plus the
 * inline plugins of ./plugins.ts (self-contained functions, so QuickChart can receive them as text).
 */
export type ChartConfig = ChartConfiguration<'bar'> | ChartConfiguration<'line'>;

export interface ChartSize {
  width: number;
  height: number;
}

export interface DriversChartInput {
  customerId: number;
  /** `value` is signed, in probability points as elsewhere in the core: 0.12 = «+12 п.п.». */
  drivers: { label: string; value: number }[];
}

export interface ImportanceChartInput {
  features: { label: string; importance: number }[];
}

export interface SegmentsChartInput {
  /** Drawn in the given order, top to bottom. */
  segments: { title: string; size: number; profitAtStake: number }[];
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
