import type { ChartConfiguration } from 'chart.js';
import { aspectFor, captionedRows, captionsOptions, chartPlugins, chromePx, linesOf, onBars, slotAxis, SLOT_PX, valueAxis, valueLabelStyle } from './common.ts';
import { paddedRange } from './format.ts';
import { barCaptionsPlugin, emptyNotePlugin, valueLabelsPlugin } from './plugins.ts';
import { COLORS, LINE_CHARS, TITLE_CHARS, baseOptions, legendOptions } from './theme.ts';
import type { MembersChartInput } from './types.ts';

/** Bars that fit a phone screen under a two-line title and subtitle. */
export const MAX_MEMBERS = 8;

/**
 * One segment: its first customers by expected loss, one captioned bar each («215401 · риск 98%»,
 * «7,31 тыс. ₽»), with the segment's size, share and loss at stake under the title.
 */
export function membersChart(input: MembersChartInput): ChartConfiguration<'bar'> {
  const members = input.members.filter((m) => Number.isFinite(m.value)).slice(0, MAX_MEMBERS);
  const isEmpty = members.length === 0;
  const rows = captionedRows([...members.map((m) => m.label), ...(input.more && !isEmpty ? [input.more] : [])]);
  // The «и ещё…» row is a caption without a bar.
  const shown = input.more && !isEmpty ? { ...rows, barAt: rows.barAt.slice(0, -1) } : rows;
  const values = members.map((m) => m.value);
  return {
    type: 'bar',
    data: {
      labels: rows.labels,
      datasets: [
        {
          data: onBars(shown, values),
          valueLabels: onBars(shown, members.map((m) => m.valueLabel)),
          backgroundColor: COLORS.secondary,
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
        chromePx({ titleLines: linesOf(input.title, TITLE_CHARS), subtitleLines: linesOf(input.subtitle, LINE_CHARS) }),
      ),
      indexAxis: 'y',
      scales: {
        x: { ...valueAxis(isEmpty, input.axis, paddedRange(values, 0.35)), min: 0 },
        y: slotAxis(),
      },
      plugins: {
        ...chartPlugins(input.title, legendOptions(false), isEmpty, { subtitle: input.subtitle, note: input.emptyNote }),
        valueLabels: valueLabelStyle(),
        barCaptions: captionsOptions(rows),
      },
    },
    plugins: [valueLabelsPlugin, barCaptionsPlugin, emptyNotePlugin],
  };
}
