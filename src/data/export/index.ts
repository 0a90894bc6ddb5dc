import type { SpreadsheetWriter } from '../../core/ports.ts';
import { toRuCsv } from './csv.ts';
import { toXlsx } from './xlsx.ts';

export { csvNumber, csvText, toRuCsv } from './csv.ts';
export { sheetNameOf, toXlsx } from './xlsx.ts';

/** The writers behind the core's SpreadsheetWriter port. */
export const spreadsheetWriter: SpreadsheetWriter = { xlsx: toXlsx, csv: toRuCsv };
