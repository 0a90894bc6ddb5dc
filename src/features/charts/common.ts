import { CHART_TEXT } from '../../messages.ts';
import type { EmptyNoteOptions, ThresholdLineOptions, ValueLabelsOptions } from './plugins.ts';
import { COLORS, FONT_SIZE, MAX_BAR_THICKNESS, axisTitle, baseOptions, font, grid, legendOptions, ticks, titleOptions } from './theme.ts';

export function emptyNote(isEmpty: boolean): EmptyNoteOptions {
  return { text: isEmpty ? CHART_TEXT.empty : null, color: COLORS.muted, font: font(FONT_SIZE.note) };
}

export function valueLabelStyle(): ValueLabelsOptions {
  return { font: font(FONT_SIZE.value, 'bold'), color: COLORS.text, offset: 8 };
}

/** A thin solid line at zero on the value axis, drawn by the threshold-line plugin without a label. */
export function zeroLine(scaleId: string): ThresholdLineOptions {
  return { value: 0, scaleId, label: '', color: COLORS.axis, font: font(FONT_SIZE.value), width: 2, dash: [] };
}

/** Plugin options every chart has; an empty chart keeps its title but shows a note instead of data. */
export function chartPlugins(title: string, legend: ReturnType<typeof legendOptions>, isEmpty: boolean) {
  return { ...baseOptions().plugins, title: titleOptions(title), legend, emptyNote: emptyNote(isEmpty) };
}

/** Bars of a horizontal bar chart; the cap keeps one or two bars from filling the whole image. */
export function barStyle(barPercentage: number, categoryPercentage: number) {
  return { barPercentage, categoryPercentage, maxBarThickness: MAX_BAR_THICKNESS };
}

/** The value axis of a horizontal bar chart, title and ticks in one colour, hidden when there is no data. */
export function valueAxis(
  isEmpty: boolean,
  title: string,
  range: { suggestedMin: number; suggestedMax: number },
  color: string = COLORS.muted,
) {
  return {
    display: !isEmpty,
    ...range,
    title: axisTitle(title, color),
    ticks: ticks(color),
    grid: grid(),
    border: { display: false },
  };
}

/** The label axis of a horizontal bar chart: every label is drawn, since each names its bar. */
export function labelAxis(isEmpty: boolean) {
  return { display: !isEmpty, ticks: { ...ticks(), autoSkip: false }, grid: grid(false) };
}

/** A count axis from zero; `grace` leaves room above the tallest value for its label. */
export function countAxis(title: string, grace: string) {
  return {
    beginAtZero: true,
    grace,
    title: axisTitle(title),
    ticks: { ...ticks(COLORS.muted), precision: 0 },
    grid: grid(),
    border: { display: false },
  };
}
