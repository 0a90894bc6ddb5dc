import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT } from '../../messages.ts';
import { emptyNote, valueLabelStyle, zeroLine } from './common.ts';
import { formatSignificant, paddedRange, wrapLabel } from './format.ts';
import { emptyNotePlugin, thresholdLinePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, MAX_BAR_THICKNESS, axisTitle, baseOptions, grid, legendOptions, ticks, titleOptions } from './theme.ts';
import type { ImportanceChartInput } from './types.ts';

const LABEL_CHARS = 34;
/** One text line per bar fits this many bars into a 600 px tall image; less important ones are dropped. */
export const MAX_FEATURES = 16;

/**
 * Global feature importance: one horizontal bar per feature, the most important on top.
 * Features that do not help (importance ≤ 0) are greyed out. At most MAX_FEATURES bars.
 */
export function importanceChart(input: ImportanceChartInput): ChartConfiguration<'bar'> {
  const features = input.features
    .filter((f) => Number.isFinite(f.importance))
    .sort((a, b) => b.importance - a.importance)
    .slice(0, MAX_FEATURES);
  const lines = features.length > 10 ? 1 : 2;
  const values = features.map((f) => f.importance);
  const isEmpty = features.length === 0;
  const range = paddedRange(values, 0.15);
  return {
    type: 'bar',
    data: {
      labels: features.map((f) => wrapLabel(f.label, LABEL_CHARS, lines)),
      datasets: [
        {
          data: values,
          valueLabels: values.map((v) => formatSignificant(v)),
          backgroundColor: values.map((v) => (v > 0 ? COLORS.primary : COLORS.neutral)),
          barPercentage: 0.8,
          categoryPercentage: 0.9,
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
          ...range,
          title: axisTitle(CHART_TEXT.importance.axis),
          ticks: ticks(COLORS.muted),
          grid: grid(),
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
        title: titleOptions(CHART_TEXT.importance.title),
        legend: legendOptions(false),
        valueLabels: valueLabelStyle(),
        thresholdLine: zeroLine('x'),
        emptyNote: emptyNote(isEmpty),
      },
    },
    plugins: [thresholdLinePlugin, valueLabelsPlugin, emptyNotePlugin],
  };
}
