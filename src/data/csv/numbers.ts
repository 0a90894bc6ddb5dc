/**
 * Numbers as Russian and English spreadsheets write them: «4,16», «4.16», «1 234,5», «-3», «1e3».
 * Split in two for speed on million-row files: `parseNumber` returns NaN on anything unusable
 * without allocating, `whyNotNumber` explains a failure afterwards.
 */

const PLAIN = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const DIGIT_GROUPS = /(\d)[\s\u00a0\u202f](?=\d)/g;
/**
 * Up to this many digits the value and its power of ten are exact doubles, so one division is
 * correctly rounded and equals what `Number()` makes of the text (Clinger's fast path).
 */
const EXACT_DIGITS = 15;

/** Tally of decimal marks seen in a file, reported as its detected decimal style. */
export class DecimalStats {
  comma = 0;
  point = 0;

  get style(): 'comma' | 'point' | 'mixed' | 'none' {
    if (this.comma && this.point) return 'mixed';
    return this.comma ? 'comma' : this.point ? 'point' : 'none';
  }
}

function slowParse(raw: string, stats: DecimalStats | null): number {
  let s = raw.trim();
  if (s === '') return NaN;
  const comma = s.indexOf(',');
  let mark: 'comma' | 'point' | null = null;
  if (comma !== -1) {
    if (s.indexOf(',', comma + 1) !== -1 || s.indexOf('.') !== -1) return NaN;
    s = s.replace(',', '.');
    mark = 'comma';
  } else if (s.indexOf('.') !== -1) mark = 'point';
  if (!PLAIN.test(s)) {
    const ungrouped = s.replace(DIGIT_GROUPS, '$1');
    if (ungrouped === s || !PLAIN.test(ungrouped)) return NaN;
    s = ungrouped;
  }
  const v = Number(s);
  if (!Number.isFinite(v)) return NaN;
  if (stats && mark) stats[mark]++;
  return v;
}

/**
 * Parses one cell, or NaN. A single comma is a decimal comma (the file's separator never
 * reaches here); a value holding both a comma and a point is ambiguous and rejected, as are
 * NaN, Infinity, hex and anything else `Number()` would silently accept. Digit groups
 * separated by spaces («1 234») are joined.
 */
export function parseNumber(raw: string, stats: DecimalStats | null = null): number {
  return parseNumberIn(raw, 0, raw.length, stats);
}

/** `parseNumber` of text[start, end), read in place. */
export function parseNumberIn(text: string, start: number, end: number, stats: DecimalStats | null = null): number {
  // Fast path: [-]digits[.digits], the shape of nearly every cell, computed from the digits.
  const negative = start < end && text.charCodeAt(start) === 45;
  let digits = 0;
  let point = -1;
  let comma = false;
  let mantissa = 0;
  let scale = 1;
  for (let i = negative ? start + 1 : start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      mantissa = mantissa * 10 + (c - 48);
      if (point !== -1) scale *= 10;
    } else if ((c === 46 || c === 44) && point === -1) {
      point = i;
      comma = c === 44;
    } else return slowParse(text.slice(start, end), stats);
  }
  if (digits === 0) return slowParse(text.slice(start, end), stats);
  // Two plain increments: a computed key is a generic keyed access, paid on every decimal cell.
  if (stats && point !== -1) {
    if (comma) stats.comma++;
    else stats.point++;
  }
  if (digits <= EXACT_DIGITS) {
    const v = mantissa / scale;
    return negative ? -v : v;
  }
  return comma ? Number(text.slice(start, point) + '.' + text.slice(point + 1, end)) : Number(text.slice(start, end));
}

/** Why `parseNumber` returned NaN for this cell. */
export function whyNotNumber(raw: string): 'empty' | 'nan' | 'bad' {
  const s = raw.trim();
  if (s === '') return 'empty';
  if (/^[-+]?nan$/i.test(s)) return 'nan';
  return 'bad';
}
