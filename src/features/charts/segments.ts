import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtNumber } from '../../messages.ts';
import { barStyle, chartPlugins, labelAxis, valueAxis, valueLabelStyle } from './common.ts';
import { formatCompact, paddedRange, wrapLabel } from './format.ts';
import { emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, baseOptions, grid, legendOptions, ticks } from './theme.ts';
import type { SegmentsChartInput } from './types.ts';

const LABEL_CHARS = 18;

/**
 * Segment sizes and profit at stake side by side: two horizontal bars per segment, customers
 * on the bottom axis and profit on the top one, each axis coloured like its bars.
 */
export function segmentsChart(input: SegmentsChartInput): ChartConfiguration<'bar'> {
  const segments = input.segments.map((s) => ({
    title: s.title,
    size: Number.isFinite(s.size) ? s.size : 0,
    profit: Number.isFinite(s.profitAtStake) ? s.profitAtStake : 0,
  }));
  const sizes = segments.map((s) => s.size);
  const profits = segments.map((s) => s.profit);
  const isEmpty = segments.length === 0;
  const sizeRange = paddedRange(sizes, 0.18);
  const profitRange = paddedRange(profits, 0.18);
  return {
    type: 'bar',
    data: {
      labels: segments.map((s) => wrapLabel(s.title, LABEL_CHARS, 2)),
      datasets: [
        {
          label: CHART_TEXT.segments.size,
          data: sizes,
          xAxisID: 'x',
          valueLabels: sizes.map((v) => fmtNumber(v, 0)),
          backgroundColor: COLORS.primary,
          ...barStyle(0.85, 0.8),
        },
        {
          label: CHART_TEXT.segments.profit,
          data: profits,
          xAxisID: 'x2',
          valueLabels: profits.map((v) => formatCompact(v)),
          backgroundColor: COLORS.secondary,
          ...barStyle(0.85, 0.8),
        },
      ],
    },
    options: {
      ...baseOptions(),
      indexAxis: 'y',
      scales: {
        x: {
          ...valueAxis(isEmpty, CHART_TEXT.segments.sizeAxis, sizeRange, COLORS.primary),
          position: 'bottom',
          ticks: { ...ticks(COLORS.primary), precision: 0 },
        },
        x2: {
          ...valueAxis(isEmpty, CHART_TEXT.segments.profitAxis, profitRange, COLORS.secondary),
          position: 'top',
          grid: grid(false),
        },
        y: labelAxis(isEmpty),
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.segments.title, legendOptions(!isEmpty, 'bottom'), isEmpty),
        valueLabels: valueLabelStyle(),
      },
    },
    plugins: [valueLabelsPlugin, emptyNotePlugin],
  };
}
