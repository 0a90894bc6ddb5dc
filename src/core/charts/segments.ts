import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtNumber } from '../../messages.ts';
import { emptyNote, valueLabelStyle } from './common.ts';
import { formatCompact, paddedRange, wrapLabel } from './format.ts';
import { emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, MAX_BAR_THICKNESS, axisTitle, baseOptions, grid, legendOptions, ticks, titleOptions } from './theme.ts';
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
          barPercentage: 0.85,
          categoryPercentage: 0.8,
          maxBarThickness: MAX_BAR_THICKNESS,
        },
        {
          label: CHART_TEXT.segments.profit,
          data: profits,
          xAxisID: 'x2',
          valueLabels: profits.map((v) => formatCompact(v)),
          backgroundColor: COLORS.secondary,
          barPercentage: 0.85,
          categoryPercentage: 0.8,
          maxBarThickness: MAX_BAR_THICKNESS,
        },
      ],
    },
    options: {
      ...baseOptions(),
      indexAxis: 'y',
      scales: {
        x: {
          display: !isEmpty,
          position: 'bottom',
          ...sizeRange,
          title: axisTitle(CHART_TEXT.segments.sizeAxis, COLORS.primary),
          ticks: { ...ticks(COLORS.primary), precision: 0 },
          grid: grid(),
          border: { display: false },
        },
        x2: {
          display: !isEmpty,
          position: 'top',
          ...profitRange,
          title: axisTitle(CHART_TEXT.segments.profitAxis, COLORS.secondary),
          ticks: ticks(COLORS.secondary),
          grid: grid(false),
          border: { display: false },
        },
        y: {
          display: !isEmpty,
          ticks: { ...ticks(), autoSkip: false },
          grid: grid(false),
        },
      },
      plugins: {
        ...baseOptions().plugins,
        title: titleOptions(CHART_TEXT.segments.title),
        legend: { ...legendOptions(!isEmpty), position: 'bottom' },
        valueLabels: valueLabelStyle(),
        emptyNote: emptyNote(isEmpty),
      },
    },
    plugins: [valueLabelsPlugin, emptyNotePlugin],
  };
}
