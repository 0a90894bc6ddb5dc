/** Label helpers for chart text; numbers are formatted by messages.ts so charts and replies agree. */

function wrapGreedy(words: string[], maxChars: number): string[] {
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

/**
 * Splits a label into lines of at most `maxChars` characters at spaces (Chart.js draws an
 * array label as several lines), as evenly as the line count allows, so no word is left alone
 * on the last line. A single word longer than `maxChars` keeps its own line. Beyond `maxLines`
 * the text is cut and the last line ends with «…».
 */
export function wrapLabel(text: string, maxChars: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  // Only plain spaces break: a no-break space holds a number to its unit («6 120 тыс. ₽»).
  const words = text.trim().split(/ +/).filter(Boolean);
  const best = wrapGreedy(words, maxChars);
  if (best.length > maxLines) {
    const kept = best.slice(0, maxLines);
    const last = kept[maxLines - 1];
    kept[maxLines - 1] = `${last.length < maxChars ? last : last.slice(0, maxChars - 1).trimEnd()}…`;
    return kept;
  }
  if (best.length === 1) return best;
  // The narrowest width that needs no more lines: greedy wrapping's line count only grows as the
  // width shrinks, so bisection finds it (a /risk chart wraps sixteen captions per answer).
  let lo = 1;
  let hi = maxChars;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (wrapGreedy(words, mid).length > best.length) lo = mid + 1;
    else hi = mid;
  }
  return wrapGreedy(words, lo);
}

/**
 * Suggested axis bounds around `values` and zero, widened by `headroom` of the span on each side
 * that has data, so labels next to the bars fit; Chart.js then rounds them out to nice ticks.
 */
export function paddedRange(values: readonly number[], headroom: number): { suggestedMin: number; suggestedMax: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  if (span === 0) return { suggestedMin: 0, suggestedMax: 1 };
  return {
    suggestedMin: lo < 0 ? lo - span * headroom : 0,
    suggestedMax: hi > 0 ? hi + span * headroom : 0,
  };
}
