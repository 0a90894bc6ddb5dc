import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtNumber } from '../../messages.ts';
import { aspectFor, captionedRows, captionsOptions, chartPlugins, chromePx, linesOf, onBars, slotAxis, SLOT_PX, valueAxis, valueLabelStyle } from './common.ts';
import { paddedRange } from './format.ts';
import { barCaptionsPlugin, emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, LINE_CHARS, TITLE_CHARS, baseOptions, legendOptions, ticks } from './theme.ts';
import type { SegmentsChartInput } from './types.ts';

/** Room beyond the longest bar of a panel for its label («1 037 тыс. ₽» is almost half a panel). */
const LABEL_ROOM = { size: 0.35, loss: 0.7 };

/**
 * The segments side by side in two panels with a scale each: customers on the left, split into
 * those only in this segment and those also in another one (segments overlap, and the chart says
 * so), and the expected loss on the right. The at-risk total is not a bar among its parts: it is
 * the subtitle.
 */
export function segmentsChart(input: SegmentsChartInput): ChartConfiguration<'bar'> {
  const segments = input.segments.map((s) => {
    const size = Number.isFinite(s.size) ? Math.max(0, s.size) : 0;
    const shared = Number.isFinite(s.shared) ? Math.min(size, Math.max(0, s.shared)) : 0;
    return { ...s, size, shared, loss: Number.isFinite(s.loss) ? s.loss : 0 };
  });
  const isEmpty = segments.length === 0;
  const rows = captionedRows(segments.map((s) => s.title));
  const bar = { grouped: false, barPercentage: 0.9, categoryPercentage: 1 } as const;
  const sizeRange = paddedRange(segments.map((s) => s.size), LABEL_ROOM.size);
  const lossRange = paddedRange(segments.map((s) => s.loss), LABEL_ROOM.loss);
  const panel = (id: 'x' | 'x2', title: string, range: { suggestedMin: number; suggestedMax: number }, color: string) => ({
    ...valueAxis(isEmpty, title, range, color),
    min: 0,
    stack: 'panels',
    stackWeight: 1,
    position: 'bottom' as const,
    stacked: id === 'x',
    // Every bar carries its number; tick numbers would only collide where the panels meet.
    ticks: { ...ticks(color), display: false },
    grid: { display: false },
    border: { display: true, color: COLORS.axis },
  });
  return {
    type: 'bar',
    data: {
      labels: rows.labels,
      datasets: [
        {
          label: CHART_TEXT.segments.only,
          data: onBars(rows, segments.map((s) => s.size - s.shared)),
          xAxisID: 'x',
          stack: 'size',
          backgroundColor: COLORS.primary,
          ...bar,
        },
        {
          label: CHART_TEXT.segments.shared,
          data: onBars(rows, segments.map((s) => s.shared)),
          // The label closes the stacked bar, so it names the whole segment's size.
          valueLabels: onBars(rows, segments.map((s) => fmtNumber(s.size, 0))),
          xAxisID: 'x',
          stack: 'size',
          backgroundColor: COLORS.primaryLight,
          ...bar,
        },
        {
          label: CHART_TEXT.segments.loss,
          data: onBars(rows, segments.map((s) => s.loss)),
          valueLabels: onBars(rows, segments.map((s) => s.lossLabel)),
          xAxisID: 'x2',
          backgroundColor: COLORS.secondary,
          ...bar,
        },
      ],
    },
    options: {
      ...baseOptions(),
      aspectRatio: aspectFor(
        Math.max(rows.labels.length, 4) * SLOT_PX,
        chromePx({ titleLines: linesOf(CHART_TEXT.segments.title, TITLE_CHARS), subtitleLines: linesOf(input.subtitle, LINE_CHARS), legendRows: 2 }),
      ),
      indexAxis: 'y',
      scales: {
        x: panel('x', CHART_TEXT.segments.sizeAxis, sizeRange, COLORS.primary),
        x2: panel('x2', input.lossAxis, lossRange, COLORS.secondaryDark),
        y: slotAxis(),
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.segments.title, legendOptions(!isEmpty, 'bottom'), isEmpty, { subtitle: input.subtitle }),
        valueLabels: valueLabelStyle(),
        barCaptions: captionsOptions(rows),
      },
    },
    plugins: [valueLabelsPlugin, barCaptionsPlugin, emptyNotePlugin],
  };
}
