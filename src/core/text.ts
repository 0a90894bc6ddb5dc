/**
 * Shortens text to at most `max` UTF-16 code units (what Telegram's limits count), never
 * splitting a surrogate pair, and marks the cut with `ellipsis` when it fits.
 */
export function shorten(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  const room = max - ellipsis.length;
  if (room <= 0) return cutAt(text, max);
  return cutAt(text, room) + ellipsis;
}

function cutAt(text: string, units: number): string {
  const code = text.charCodeAt(units - 1);
  // A high surrogate as the last kept unit would leave half a character.
  const end = code >= 0xd800 && code <= 0xdbff ? units - 1 : units;
  return text.slice(0, end);
}
