import { CHART_TEXT } from '../../messages.ts';
import type { EmptyNoteOptions, ThresholdLineOptions, ValueLabelsOptions } from './plugins.ts';
import { COLORS, FONT_SIZE, font } from './theme.ts';

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
