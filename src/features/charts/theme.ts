/**
 * Shared look of every chart. Charts are read on phones: Telegram shows a 1000 px wide image about
 * 360 px wide, so every text is at least MIN_FONT_PX (≥ 11 px once scaled) and long labels sit
 * above their bars across the whole width instead of in a narrow column beside them.
 */
import { wrapLabel } from './format.ts';

/** Registered by the local renderer (src/app/charts/fonts.ts) and named in every font spec. */
export const FONT_NAME = 'DejaVu Sans';

/** Every chart is this wide; its height follows its content (options.aspectRatio, see preferredSize). */
export const CHART_WIDTH = 1000;

/** The default output size in pixels (PNG width × height) for a config that states no aspect ratio. */
export const DEFAULT_CHART_SIZE = { width: CHART_WIDTH, height: 700 } as const;

/** The narrowest phone screen we design for, and the smallest text that stays readable on it. */
export const PHONE_WIDTH = 360;
export const MIN_LEGIBLE_PX = 11;
/** The smallest font, in source pixels, that is MIN_LEGIBLE_PX on a PHONE_WIDTH screen. */
export const MIN_FONT_PX = Math.ceil((MIN_LEGIBLE_PX * CHART_WIDTH) / PHONE_WIDTH);

export const FONT_FAMILY = `'${FONT_NAME}', sans-serif`;

export const FONT_SIZE = {
  title: 38,
  subtitle: MIN_FONT_PX,
  axisTitle: MIN_FONT_PX,
  tick: MIN_FONT_PX,
  legend: MIN_FONT_PX,
  value: MIN_FONT_PX,
  caption: MIN_FONT_PX + 1,
  note: MIN_FONT_PX + 3,
} as const;

/**
 * Characters of regular text at FONT_SIZE.caption that safely fit one line of the chart area
 * (DejaVu Sans runs ≈ 0.58 em per character of Russian text; measured in the chart tests).
 */
export const LINE_CHARS = 46;
/** The same for the bold title (≈ 0.64 em per character). */
export const TITLE_CHARS = 36;

export const COLORS = {
  text: '#1f2328',
  muted: '#57606a',
  grid: '#e3e6ea',
  axis: '#8c959f',
  risk: '#d1352b',
  riskLight: '#eb9a94',
  safe: '#2e8b57',
  safeLight: '#93c9a9',
  primary: '#2f6db5',
  primaryLight: '#9dbde3',
  secondary: '#e8891c',
  /** For text in the secondary colour: the bar colour itself is too light on white. */
  secondaryDark: '#b35f00',
  neutral: '#8da4bf',
  threshold: '#1f2328',
} as const;

export interface FontOptions {
  family: string;
  size: number;
  weight?: 'normal' | 'bold';
}

export function font(size: number, weight: 'normal' | 'bold' = 'normal'): FontOptions {
  return { family: FONT_FAMILY, size, weight };
}

/** A title longer than one line is split into even lines, so it cannot run off the image. */
export function titleOptions(text: string) {
  return {
    display: true,
    text: wrapLabel(text, TITLE_CHARS),
    color: COLORS.text,
    font: font(FONT_SIZE.title, 'bold'),
    padding: { top: 6, bottom: 16 },
  };
}

/** A line or two under the title: what the chart is about in numbers (size, share, loss at stake). */
export function subtitleOptions(text: string | null) {
  return {
    display: Boolean(text),
    text: text ? wrapLabel(text, LINE_CHARS) : '',
    color: COLORS.muted,
    font: font(FONT_SIZE.subtitle),
    padding: { top: 0, bottom: 16 },
  };
}

export function axisTitle(text: string, color: string = COLORS.muted) {
  return { display: true, text, color, font: font(FONT_SIZE.axisTitle), padding: { top: 6, bottom: 2 } };
}

export function ticks(color: string = COLORS.text) {
  return { color, font: font(FONT_SIZE.tick) };
}

export function grid(display = true) {
  return { display, color: COLORS.grid };
}

export function legendOptions(display: boolean, position: 'top' | 'bottom' = 'top') {
  return {
    display,
    position,
    labels: { color: COLORS.text, font: font(FONT_SIZE.legend), boxWidth: 30, boxHeight: 24, padding: 20 },
  };
}

/** Options every chart shares; tick numbers use Chart.js' Intl formatting with the Russian locale. */
export function baseOptions() {
  return {
    locale: 'ru-RU',
    responsive: false,
    animation: false as const,
    layout: { padding: { top: 8, right: 28, bottom: 12, left: 24 } },
    plugins: {
      tooltip: { enabled: false },
    },
  };
}
