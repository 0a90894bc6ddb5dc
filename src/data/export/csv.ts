/**
 * CSV for Russian Excel: UTF-8 BOM (so Cyrillic survives), `;` between fields and a decimal comma,
 * which is what Excel expects under a Russian locale. Text that Excel would run as a formula
 * gets a leading apostrophe; numbers are written as numbers, so −1,05 stays a number.
 */
import type { CellType, CellValue, Table } from '../../core/ports.ts';
import { wallClock } from './wallClock.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvText(s: string): string {
  const v = FORMULA_START.test(s) ? `'${s}` : s;
  return /[";\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Plain digits with a decimal comma; never exponent notation, which Excel would read as text. */
export function csvNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  let s = String(n);
  if (/e/i.test(s)) s = n.toFixed(20).replace(/\.?0+$/, '');
  return s.replace('.', ',');
}

const pad = (n: number) => String(n).padStart(2, '0');

function csvDate(d: Date, type: CellType, timeZone: string | undefined): string {
  if (Number.isNaN(d.getTime())) return '';
  const w = wallClock(d, timeZone);
  const day = `${pad(w.getUTCDate())}.${pad(w.getUTCMonth() + 1)}.${w.getUTCFullYear()}`;
  return type === 'date' ? day : `${day} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
}

function csvCell(v: CellValue, type: CellType, timeZone: string | undefined): string {
  if (v === null) return '';
  if (typeof v === 'number') return csvNumber(v);
  if (v instanceof Date) return csvDate(v, type, timeZone);
  return csvText(v);
}

export function toRuCsv(table: Table, opts: { timeZone?: string } = {}): Buffer {
  const lines = [table.columns.map((c) => csvText(c.header)).join(';')];
  for (const row of table.rows) lines.push(table.columns.map((c, i) => csvCell(row[i] ?? null, c.type, opts.timeZone)).join(';'));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
