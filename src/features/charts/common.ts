import type { ChartConfiguration } from 'chart.js';
import { CHART_TEXT } from '../../messages.ts';
import { paddedRange, wrapLabel } from './format.ts';
import {
  barCaptionsPlugin,
  emptyNotePlugin,
  valueLabelsPlugin,
  type BarCaptionsOptions,
  type EmptyNoteOptions,
  type ValueLabelsOptions,
} from './plugins.ts';
import {
  CHART_WIDTH,
  COLORS,
  FONT_SIZE,
  LINE_CHARS,
  axisTitle,
  baseOptions,
  font,
  grid,
  legendOptions,
  subtitleOptions,
  ticks,
  TITLE_CHARS,
  titleOptions,
} from './theme.ts';

/** `note` replaces the generic «нет данных» when a chart knows better what to say (one week of a trend). */
export function emptyNote(isEmpty: boolean, note: string | string[] = CHART_TEXT.empty): EmptyNoteOptions {
  return { text: isEmpty ? note : null, color: COLORS.muted, font: font(FONT_SIZE.note) };
}

export function valueLabelStyle(): ValueLabelsOptions {
  return { font: font(FONT_SIZE.value, 'bold'), color: COLORS.text, offset: 8 };
}

/** Plugin options every chart has; an empty chart keeps its title but shows a note instead of data. */
export function chartPlugins(
  title: string,
  legend: ReturnType<typeof legendOptions>,
  isEmpty: boolean,
  extra: { subtitle?: string | null; note?: string | string[] } = {},
) {
  return {
    ...baseOptions().plugins,
    title: titleOptions(title),
    subtitle: subtitleOptions(extra.subtitle ?? null),
    legend,
    emptyNote: emptyNote(isEmpty, extra.note),
  };
}

/**
 * Category slots of a horizontal bar chart whose labels sit above their bars: each row is its caption
 * (wrapped into as many one-line slots as it needs, never cut) and then the slot of its bar.
 * On a phone a label across the whole width stays legible where a column beside the bars would not.
 */
export interface CaptionedRows {
  /** One empty label per slot: the captions plugin writes the text. */
  labels: string[];
  captions: (string | null)[];
  /** The slot of each row's bar. */
  barAt: number[];
}

export function captionedRows(captions: readonly string[], maxChars: number = LINE_CHARS): CaptionedRows {
  const slots: (string | null)[] = [];
  const barAt: number[] = [];
  for (const caption of captions) {
    slots.push(...wrapLabel(caption, maxChars));
    barAt.push(slots.length);
    slots.push(null);
  }
  return { labels: slots.map(() => ''), captions: slots, barAt };
}

/** One value per row placed on its bar's slot; caption slots get null. */
export function onBars<T>(rows: CaptionedRows, values: readonly (T | null)[]): (T | null)[] {
  const out = new Array<T | null>(rows.captions.length).fill(null);
  rows.barAt.forEach((slot, i) => {
    out[slot] = values[i] ?? null;
  });
  return out;
}

export function captionsOptions(rows: CaptionedRows): BarCaptionsOptions {
  return { captions: rows.captions, scaleId: 'y', color: COLORS.text, font: font(FONT_SIZE.caption) };
}

/** The hidden label axis of a captioned chart: it only spaces the slots. */
export function slotAxis() {
  return { display: false, grid: grid(false), offset: true };
}

/** Height of one caption or bar slot, px. */
export const SLOT_PX = 48;

/** Room outside the plot: the title's and subtitle's lines, a legend, an x axis with its title, padding. */
export function chromePx(p: { titleLines: number; subtitleLines?: number; legendRows?: number; xAxis?: boolean }): number {
  const title = p.titleLines * FONT_SIZE.title * 1.2 + 16;
  const subtitle = p.subtitleLines ? p.subtitleLines * FONT_SIZE.subtitle * 1.2 + 16 : 0;
  const legend = (p.legendRows ?? 0) * (FONT_SIZE.legend * 1.2 + 24);
  const axis = p.xAxis === false ? 0 : FONT_SIZE.tick * 1.2 + FONT_SIZE.axisTitle * 1.2 + 24;
  return Math.ceil(title + subtitle + legend + axis + 20);
}

/** options.aspectRatio for a chart `plotPx` tall inside its chrome (see renderer.preferredSize). */
export const aspectFor = (plotPx: number, chrome: number): number => CHART_WIDTH / (plotPx + chrome);

/** How many lines a title or subtitle takes, as titleOptions/subtitleOptions wrap it. */
export const linesOf = (text: string | null, maxChars: number): number => (text ? wrapLabel(text, maxChars).length : 0);

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

/**
 * One captioned bar per row on a value axis from zero: the shape of the importance chart and of a
 * segment's call list. `headroom` leaves room beyond the longest bar for its label.
 */
export function captionedBarChart(input: {
  title: string;
  subtitle: string | null;
  axis: string;
  rows: CaptionedRows;
  values: number[];
  valueLabels: string[];
  color: string;
  headroom: number;
  emptyNote?: string;
}): ChartConfiguration<'bar'> {
  const { rows, values, title, subtitle } = input;
  const isEmpty = values.length === 0;
  return {
    type: 'bar',
    data: {
      labels: rows.labels,
      datasets: [
        {
          data: onBars(rows, values),
          valueLabels: onBars(rows, input.valueLabels),
          backgroundColor: input.color,
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
        chromePx({ titleLines: linesOf(title, TITLE_CHARS), subtitleLines: linesOf(subtitle, LINE_CHARS) }),
      ),
      indexAxis: 'y',
      scales: {
        x: { ...valueAxis(isEmpty, input.axis, paddedRange(values, input.headroom)), min: 0 },
        y: slotAxis(),
      },
      plugins: {
        ...chartPlugins(title, legendOptions(false), isEmpty, { subtitle, note: input.emptyNote }),
        valueLabels: valueLabelStyle(),
        barCaptions: captionsOptions(rows),
      },
    },
    plugins: [valueLabelsPlugin, barCaptionsPlugin, emptyNotePlugin],
  };
}
