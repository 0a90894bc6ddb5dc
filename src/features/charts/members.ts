import type { ChartConfiguration } from 'chart.js';
import { captionedBarChart, captionedRows } from './common.ts';
import { COLORS } from './theme.ts';
import type { MembersChartInput } from './types.ts';

/** Bars that fit a phone screen under a two-line title and subtitle. */
export const MAX_MEMBERS = 8;

/**
 * One segment: its first customers by expected loss, one captioned bar each («215401 · риск 98%»,
 * «7,31 тыс. ₽»), with the segment's size, share and loss at stake under the title, and a last
 * caption without a bar when not everyone fits («и ещё 59 клиентов…»).
 */
export function membersChart(input: MembersChartInput): ChartConfiguration<'bar'> {
  const members = input.members.filter((m) => Number.isFinite(m.value)).slice(0, MAX_MEMBERS);
  const more = input.more && members.length > 0 ? [input.more] : [];
  const rows = captionedRows([...members.map((m) => m.label), ...more]);
  return captionedBarChart({
    title: input.title,
    subtitle: input.subtitle,
    axis: input.axis,
    rows: more.length ? { ...rows, barAt: rows.barAt.slice(0, -1) } : rows,
    values: members.map((m) => m.value),
    valueLabels: members.map((m) => m.valueLabel),
    color: COLORS.secondary,
    headroom: 0.35,
    emptyNote: input.emptyNote,
  });
}
