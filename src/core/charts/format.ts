/** Label helpers for chart text; numbers go through messages.ts so charts and replies agree. */
import { fmtNumber } from '../../messages.ts';

/** Fewer decimals for larger numbers: 0.0123 → «0,012», 3.46 → «3,5», 1234.5 → «1 235». */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  const digits = abs === 0 || abs >= 10 ? 0 : abs >= 1 ? 1 : abs >= 0.1 ? 2 : 3;
  return fmtNumber(value, digits);
}

/**
 * Splits a label into lines of at most `maxChars` characters at spaces (Chart.js draws an
 * array label as several lines). A single word longer than `maxChars` keeps its own line.
 */
export function wrapLabel(text: string, maxChars: number): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** Axis bounds around `values` and zero, widened by `headroom` of the span on each side that has data, so value labels fit. */
export function paddedRange(values: readonly number[], headroom: number): { min: number; max: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  if (span === 0) return { min: 0, max: 1 };
  return { min: lo < 0 ? lo - span * headroom : 0, max: hi > 0 ? hi + span * headroom : 0 };
}
