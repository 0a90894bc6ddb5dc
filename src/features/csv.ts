/** CSV for spreadsheets: a BOM so Excel reads Cyrillic, and formula cells neutralised. */

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell starting with = + - @ would run as a formula in Excel; a leading apostrophe keeps it text. */
export function escapeCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (typeof value !== 'number' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `bom: false` for files read by programs rather than Excel (`retention score`). */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[], { bom = true } = {}): Buffer {
  const lines = [header, ...rows].map((r) => r.map(escapeCell).join(','));
  return Buffer.from(`${bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`, 'utf8');
}
