import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtPoints } from '../../messages.ts';
import { barStyle, chartPlugins, labelAxis, valueAxis, valueLabelStyle, zeroLine } from './common.ts';
import { paddedRange, wrapLabel } from './format.ts';
import { emptyNotePlugin, thresholdLinePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, baseOptions, legendOptions } from './theme.ts';
import type { DriversChartInput } from './types.ts';

const LABEL_CHARS = 32;
const LABEL_LINES = 2;
/** More two-line labels than this do not fit a 600 px tall image; the weakest drivers are dropped. */
export const MAX_DRIVERS = 7;

/**
 * Why one customer is at risk: a horizontal bar per driver, the strongest on top, red when it
 * raises the risk and green when it lowers it, each labelled with its signed size («+12 п.п.»).
 * At most MAX_DRIVERS bars.
 */
export function driversChart(input: DriversChartInput): ChartConfiguration<'bar'> {
  const drivers = input.drivers
    .filter((d) => Number.isFinite(d.value))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, MAX_DRIVERS);
  const points = drivers.map((d) => d.value * 100);
  const raises = drivers.map((d) => d.value >= 0);
  const isEmpty = drivers.length === 0;
  const range = paddedRange(points, 0.3);
  return {
    type: 'bar',
    data: {
      labels: drivers.map((d) => wrapLabel(d.label, LABEL_CHARS, LABEL_LINES)),
      datasets: [
        {
          label: CHART_TEXT.drivers.up,
          data: points.map((p, i) => (raises[i] ? p : null)),
          valueLabels: drivers.map((d, i) => (raises[i] ? fmtPoints(d.value) : null)),
          backgroundColor: COLORS.risk,
          ...barStyle(0.75, 0.9),
        },
        {
          label: CHART_TEXT.drivers.down,
          data: points.map((p, i) => (raises[i] ? null : p)),
          valueLabels: drivers.map((d, i) => (raises[i] ? null : fmtPoints(d.value))),
          backgroundColor: COLORS.safe,
          ...barStyle(0.75, 0.9),
        },
      ],
    },
    options: {
      ...baseOptions(),
      indexAxis: 'y',
      scales: {
        x: { ...valueAxis(isEmpty, CHART_TEXT.drivers.axis, range), stacked: true },
        y: { ...labelAxis(isEmpty), stacked: true },
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.drivers.title(input.customerId), legendOptions(!isEmpty), isEmpty),
        valueLabels: valueLabelStyle(),
        thresholdLine: zeroLine('x'),
      },
    },
    plugins: [thresholdLinePlugin, valueLabelsPlugin, emptyNotePlugin],
  };
}
