import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT } from '../../messages.ts';
import { barStyle, chartPlugins, labelAxis, valueAxis, valueLabelStyle, zeroLine } from './common.ts';
import { formatSignificant, paddedRange, wrapLabel } from './format.ts';
import { emptyNotePlugin, thresholdLinePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, baseOptions, legendOptions } from './theme.ts';
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
          ...barStyle(0.8, 0.9),
        },
      ],
    },
    options: {
      ...baseOptions(),
      indexAxis: 'y',
      scales: {
        x: valueAxis(isEmpty, CHART_TEXT.importance.axis, range),
        y: labelAxis(isEmpty),
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.importance.title, legendOptions(false), isEmpty),
        valueLabels: valueLabelStyle(),
        thresholdLine: zeroLine('x'),
      },
    },
    plugins: [thresholdLinePlugin, valueLabelsPlugin, emptyNotePlugin],
  };
}
