import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtNumber } from '../../messages.ts';
import { captionedBarChart, captionedRows } from './common.ts';
import { COLORS } from './theme.ts';
import type { ImportanceChartInput } from './types.ts';

/** This many captioned bars fit a phone screen; the rest is summed up in the note under the title. */
export const MAX_FEATURES = 8;

/**
 * Global feature importance as shares of the total, most important on top, each captioned with
 * its business name and the direction it pushes the risk («страниц за визит: больше → риск
 * ниже»). Shares are whole percent; nothing negative is drawn (unused features have 0%).
 */
export function importanceChart(input: ImportanceChartInput): ChartConfiguration<'bar'> {
  const features = input.features
    .filter((f) => Number.isFinite(f.share) && f.share > 0)
    .sort((a, b) => b.share - a.share)
    .slice(0, MAX_FEATURES);
  const values = features.map((f) => f.share);
  return captionedBarChart({
    title: CHART_TEXT.importance.title,
    subtitle: input.note ?? null,
    axis: CHART_TEXT.importance.axis,
    rows: captionedRows(features.map((f) => (f.direction ? `${f.label}: ${f.direction}` : f.label))),
    values,
    valueLabels: values.map((v) => `${fmtNumber(v, 0)}%`),
    color: COLORS.primary,
    headroom: 0.2,
  });
}
