import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtNumber } from '../../messages.ts';
import { aspectFor, chartPlugins, countAxis, valueLabelStyle } from './common.ts';
import { emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, axisTitle, baseOptions, grid, legendOptions, ticks } from './theme.ts';
import type { TrendChartInput } from './types.ts';

/** Above this many weeks, only every k-th count is written (always the latest), so labels do not collide. */
const MAX_VALUE_LABELS = 12;

/**
 * At-risk customers per week: a line with the count written above the points. One week is no
 * trend: the chart then says so in words (and the count) instead of drawing a lone dot.
 */
export function trendChart(input: TrendChartInput): ChartConfiguration<'line'> {
  const points = input.points.map((p) => ({ label: p.label, value: Number.isFinite(p.atRisk) ? p.atRisk : 0 }));
  const isEmpty = points.length < 2;
  const note = points.length === 1 ? [...CHART_TEXT.trend.oneWeek(points[0].value, points[0].label)] : CHART_TEXT.empty;
  const every = Math.ceil(points.length / MAX_VALUE_LABELS);
  const last = points.length - 1;
  return {
    type: 'line',
    data: {
      // «23 нояб.» as two lines, so eight weeks all get their date at a legible size.
      labels: isEmpty ? [] : points.map((p) => p.label.split(/\s+/)),
      datasets: isEmpty ? [] : [
        {
          label: CHART_TEXT.trend.yAxis,
          data: points.map((p) => p.value),
          valueLabels: points.map((p, i) => ((last - i) % every === 0 ? fmtNumber(p.value, 0) : null)),
          borderColor: COLORS.risk,
          backgroundColor: 'rgba(209, 53, 43, 0.12)',
          fill: 'origin',
          borderWidth: 4,
          tension: 0,
          pointRadius: points.length > MAX_VALUE_LABELS ? 4 : 7,
          pointBackgroundColor: COLORS.risk,
          pointBorderColor: '#ffffff',
          pointBorderWidth: 2,
        },
      ],
    },
    options: {
      ...baseOptions(),
      aspectRatio: aspectFor(520, 260),
      scales: {
        x: {
          display: !isEmpty,
          offset: true,
          title: axisTitle(CHART_TEXT.trend.xAxis),
          ticks: { ...ticks(COLORS.muted), autoSkip: true, autoSkipPadding: 8, maxRotation: 0 },
          grid: grid(false),
        },
        y: { display: !isEmpty, ...countAxis(CHART_TEXT.trend.yAxis, '15%') },
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.trend.title, legendOptions(false), isEmpty, { note }),
        valueLabels: valueLabelStyle(),
      },
    },
    plugins: [valueLabelsPlugin, emptyNotePlugin],
  };
}
