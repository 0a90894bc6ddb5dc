import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT, fmtNumber } from '../../messages.ts';
import { aspectFor, captionedRows, captionsOptions, chartPlugins, chromePx, linesOf, onBars, slotAxis, SLOT_PX, valueAxis, valueLabelStyle } from './common.ts';
import { paddedRange } from './format.ts';
import { barCaptionsPlugin, emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, LINE_CHARS, TITLE_CHARS, baseOptions, legendOptions } from './theme.ts';
import type { ImportanceChartInput } from './types.ts';

/** This many captioned bars fit a phone screen; the rest is summed up in the note under the title. */
export const MAX_FEATURES = 8;

/**
 * Global feature importance as shares of the total, most important on top, each captioned with
 * its business name and the direction it pushes the risk («страниц за визит: чем больше, тем риск
 * ниже»). Shares are whole percent; nothing negative is drawn (unused features have 0%).
 */
export function importanceChart(input: ImportanceChartInput): ChartConfiguration<'bar'> {
  const features = input.features
    .filter((f) => Number.isFinite(f.share) && f.share > 0)
    .sort((a, b) => b.share - a.share)
    .slice(0, MAX_FEATURES);
  const isEmpty = features.length === 0;
  const rows = captionedRows(features.map((f) => (f.direction ? `${f.label}: ${f.direction}` : f.label)));
  const values = features.map((f) => f.share);
  const note = input.note ?? null;
  return {
    type: 'bar',
    data: {
      labels: rows.labels,
      datasets: [
        {
          data: onBars(rows, values),
          valueLabels: onBars(rows, values.map((v) => `${fmtNumber(v, 0)}%`)),
          backgroundColor: COLORS.primary,
          grouped: false,
          barPercentage: 0.9,
          categoryPercentage: 1,
        },
      ],
    },
    options: {
      ...baseOptions(),
      aspectRatio: aspectFor(
        Math.max(rows.labels.length, 4) * SLOT_PX,
        chromePx({ titleLines: linesOf(CHART_TEXT.importance.title, TITLE_CHARS), subtitleLines: linesOf(note, LINE_CHARS) }),
      ),
      indexAxis: 'y',
      scales: {
        x: { ...valueAxis(isEmpty, CHART_TEXT.importance.axis, paddedRange(values, 0.2)), min: 0 },
        y: slotAxis(),
      },
      plugins: {
        ...chartPlugins(CHART_TEXT.importance.title, legendOptions(false), isEmpty, { subtitle: note }),
        valueLabels: valueLabelStyle(),
        barCaptions: captionsOptions(rows),
      },
    },
    plugins: [valueLabelsPlugin, barCaptionsPlugin, emptyNotePlugin],
  };
}
