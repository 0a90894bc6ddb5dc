/**
 * Shared look of every chart: sizes in pixels for a 1000×600 image that a phone shows at about
 * 40 % scale, so text is larger than on a desktop chart.
 */
import { wrapLabel } from './format.ts';

/** Registered by the local renderer (src/app/charts/fonts.ts) and named in every font spec. */
export const FONT_NAME = 'DejaVu Sans';

/** Default output size in pixels (PNG width × height). */
export const DEFAULT_CHART_SIZE = { width: 1000, height: 600 } as const;

export const FONT_FAMILY = `'${FONT_NAME}', sans-serif`;

export const FONT_SIZE = { title: 29, axisTitle: 20, tick: 21, legend: 21, value: 20, note: 24 } as const;

/** Caps bar thickness when there are only one or two bars. */
export const MAX_BAR_THICKNESS = 56;

export const COLORS = {
  text: '#1f2328',
  muted: '#57606a',
  grid: '#e3e6ea',
  axis: '#8c959f',
  risk: '#d1352b',
  safe: '#2e8b57',
  primary: '#2f6db5',
  secondary: '#e8891c',
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

/** A title longer than this is split into two lines, so it cannot run off a 1000 px image. */
const TITLE_CHARS = 56;

export function titleOptions(text: string) {
  return {
    display: true,
    text: text.length > TITLE_CHARS ? wrapLabel(text, Math.ceil(text.length / 2) + 8) : text,
    color: COLORS.text,
    font: font(FONT_SIZE.title, 'bold'),
    padding: { top: 6, bottom: 14 },
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
    labels: { color: COLORS.text, font: font(FONT_SIZE.legend), boxWidth: 22, boxHeight: 16, padding: 18 },
  };
}

/** Options every chart shares; tick numbers use Chart.js' Intl formatting with the Russian locale. */
export function baseOptions() {
  return {
    locale: 'ru-RU',
    responsive: false,
    animation: false as const,
    layout: { padding: { top: 4, right: 24, bottom: 8, left: 12 } },
    plugins: {
      tooltip: { enabled: false },
    },
  };
}
