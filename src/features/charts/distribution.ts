import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT } from '../../messages.ts';
import { aspectFor, chartPlugins, countAxis } from './common.ts';
import { emptyNotePlugin, thresholdLinePlugin } from './plugins.ts';
import { COLORS, FONT_SIZE, axisTitle, baseOptions, font, grid, legendOptions, ticks } from './theme.ts';
import type { RiskDistributionChartInput } from './types.ts';

export interface Histogram {
  /** Customers per bin below the threshold and at/above it (a bin the threshold cuts has both). */
  below: number[];
  above: number[];
  totalBelow: number;
  totalAbove: number;
}

/** Counts probabilities into `bins` equal bins over [0, 1]; 1.0 falls into the last bin. */
export function histogram(probabilities: ArrayLike<number>, threshold: number, bins: number): Histogram {
  const below = new Array<number>(bins).fill(0);
  const above = new Array<number>(bins).fill(0);
  let totalBelow = 0;
  let totalAbove = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (!Number.isFinite(p)) continue;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    if (p >= threshold) {
      above[bin]++;
      totalAbove++;
    } else {
      below[bin]++;
      totalBelow++;
    }
  }
  return { below, above, totalBelow, totalAbove };
}

/**
 * How customers spread over the predicted probability: a histogram on a 0–100 % axis, bins at
 * or above the high-risk threshold in red, and a dashed line with a label at the threshold.
 */
export function riskDistributionChart(input: RiskDistributionChartInput): ChartConfiguration<'bar'> {
  const bins = Math.max(1, Math.floor(input.bins ?? 20));
  const threshold = Math.min(1, Math.max(0, input.threshold));
  const h = histogram(input.probabilities, threshold, bins);
  const width = 100 / bins;
  const centre = (i: number) => (i + 0.5) * width;
  const isEmpty = h.totalAbove + h.totalBelow === 0;
  const bar = { barPercentage: 1, categoryPercentage: 1, borderColor: '#ffffff', borderWidth: 1 };
  return {
    type: 'bar',
    data: {
      // Bin centres in percent: on a linear x axis Chart.js reads numeric labels as positions.
      labels: h.below.map((_, i) => centre(i)),
      datasets: [
        {
          label: CHART_TEXT.distribution.below(h.totalBelow),
          data: h.below,
          backgroundColor: COLORS.neutral,
          ...bar,
        },
        {
          label: CHART_TEXT.distribution.above(h.totalAbove),
          data: h.above,
          backgroundColor: COLORS.risk,
          ...bar,
        },
      ],
    },
    options: {
      ...baseOptions(),
      aspectRatio: aspectFor(560, 300),
      scales: {
        x: {
          type: 'linear',
          offset: false,
          stacked: true,
          min: 0,
          max: 100,
          title: axisTitle(CHART_TEXT.distribution.xAxis),
          ticks: { ...ticks(COLORS.muted), stepSize: 20 },
          grid: grid(false),
        },
        y: { stacked: true, ...countAxis(CHART_TEXT.distribution.yAxis, '8%') },
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.distribution.title, legendOptions(!isEmpty), isEmpty),
        thresholdLine: {
          value: threshold * 100,
          scaleId: 'x',
          label: CHART_TEXT.distribution.threshold(threshold),
          color: COLORS.threshold,
          font: font(FONT_SIZE.value, 'bold'),
        },
      },
    },
    plugins: [thresholdLinePlugin, emptyNotePlugin],
  };
}
