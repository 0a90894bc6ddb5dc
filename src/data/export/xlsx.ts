/** .xlsx through exceljs: one sheet, typed cells, frozen header, autofilter over the columns. */
import ExcelJS from 'exceljs';
import type { CellType, CellValue, Table } from '../../core/ports.ts';
import { wallClock } from './wallClock.ts';

/** Excel number formats; Excel shows them in the reader's locale (decimal comma in Russian Excel). */
const NUM_FMT: Record<CellType, string> = {
  integer: '0',
  number: '#,##0.00',
  percent: '0.0%',
  date: 'dd.mm.yyyy',
  datetime: 'dd.mm.yyyy hh:mm',
  text: '@',
};

/** Excel refuses sheet names over 31 characters or with any of : \ / ? * [ ]. */
export const sheetNameOf = (name: string): string => name.replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31) || 'Sheet1';

function cellValue(v: CellValue, timeZone: string | undefined): ExcelJS.CellValue {
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : wallClock(v, timeZone);
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

export async function toXlsx(table: Table, opts: { sheetName: string; timeZone?: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetNameOf(opts.sheetName), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length + 2), style: { numFmt: NUM_FMT[c.type] } }));
  for (const row of table.rows) ws.addRow(table.columns.map((c, i) => cellValue(row[i] ?? null, opts.timeZone)));
  const header = ws.getRow(1);
  header.font = { bold: true };
  // The header is text whatever its column holds.
  header.eachCell((cell) => (cell.numFmt = NUM_FMT.text));
  if (table.columns.length > 0) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
