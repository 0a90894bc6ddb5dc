import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtNumber } from '../../messages.ts';
import { chartPlugins, countAxis, valueLabelStyle } from './common.ts';
import { emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, FONT_SIZE, axisTitle, baseOptions, font, grid, legendOptions, ticks } from './theme.ts';
import type { TrendChartInput } from './types.ts';

/** Above this many weeks, only every k-th count is written (always the latest), so labels do not collide. */
const MAX_VALUE_LABELS = 12;

/** At-risk customers per week: a line with the count written above the points. */
export function trendChart(input: TrendChartInput): ChartConfiguration<'line'> {
  const points = input.points.map((p) => ({ label: p.label, value: Number.isFinite(p.atRisk) ? p.atRisk : 0 }));
  const isEmpty = points.length === 0;
  const every = Math.ceil(points.length / MAX_VALUE_LABELS);
  const last = points.length - 1;
  return {
    type: 'line',
    data: {
      labels: points.map((p) => p.label),
      datasets: [
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
      scales: {
        x: {
          display: !isEmpty,
          offset: true,
          title: axisTitle(CHART_TEXT.trend.xAxis),
          // A notch smaller than other ticks so eight «2026-W47» labels fit side by side.
          ticks: { ...ticks(COLORS.muted), font: font(FONT_SIZE.tick - 2), autoSkip: true, autoSkipPadding: 2, maxRotation: 0 },
          grid: grid(false),
        },
        y: { display: !isEmpty, ...countAxis(CHART_TEXT.trend.yAxis, '15%') },
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.trend.title, legendOptions(false), isEmpty),
        valueLabels: valueLabelStyle(),
      },
    },
    plugins: [valueLabelsPlugin, emptyNotePlugin],
  };
}
