import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CleanDataset, Customer } from '../../src/core/domain.ts';
import { DataError, type FileProblem } from '../../src/core/errors.ts';
import type { DerivedTables } from '../../src/core/ports.ts';
import { buildSegmentTables } from '../../src/core/segments.ts';
import { openStore, type SqliteStore } from '../../src/data/sqlite/store.ts';
import { DEMO_DIR } from '../support/realData.ts';

export { DEMO_DIR };
export const FILES = ['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv'] as const;
export type FileName = (typeof FILES)[number];

/** Lines of a data file without line ends (header = index 0 = line 1); the demo set unless told. */
export function dataLines(file: FileName, dir = DEMO_DIR): string[] {
  const text = readFileSync(path.join(dir, file), 'utf8');
  return text.split('\r\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
}

/** The id on line `lineNo` (1-based) of a data file's lines. */
export const idAt = (lines: string[], lineNo: number): number => Number(lines[lineNo - 1].split(/[,;]/)[0]);

const tmpDirs: string[] = [];
export function tmpDir(prefix = 'retention-data-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
export function cleanupTmp(): void {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * SQLite stores on one file in a fresh folder: each `open()` is another process's connection (a
 * replica, the CLI beside a bot). `close()` closes them all and removes the folder.
 */
export function sharedSqliteFile(prefix = 'retention-shared-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const stores: SqliteStore[] = [];
  return {
    open(): SqliteStore {
      const s = openStore(path.join(dir, 'retention.db'));
      stores.push(s);
      return s;
    },
    async close(): Promise<void> {
      for (const s of stores.splice(0)) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type FileContent = string[] | string | Buffer | null;

/**
 * Writes a data set directory: the demo files (CRLF, as the real export), with some replaced.
 * Lines arrays are joined with CRLF and end with CRLF; strings/Buffers are written as is; null omits the file.
 */
export function writeSet(overrides: Partial<Record<string, FileContent>> = {}, dir = tmpDir()): string {
  mkdirSync(dir, { recursive: true });
  const names = new Set<string>([...FILES, ...Object.keys(overrides)]);
  for (const name of names) {
    const content = name in overrides ? overrides[name] : dataLines(name as FileName);
    if (content === null || content === undefined) continue;
    const data = Array.isArray(content) ? content.join('\r\n') + '\r\n' : content;
    writeFileSync(path.join(dir, name), data);
  }
  return dir;
}

/** The problems of a DataError thrown by `run` (fails the test when nothing or something else is thrown). */
export async function problemsOf(run: () => Promise<unknown>): Promise<FileProblem[]> {
  try {
    await run();
  } catch (e) {
    if (e instanceof DataError) return e.problems;
    throw e;
  }
  throw new Error('expected a DataError, but the data set was accepted');
}

/** `file:line` of each problem, for compact assertions. */
export const where = (ps: FileProblem[]) => ps.map((p) => `${p.file}:${p.line}`);

/** Replaces field `col` (0-based) of line `lineNo` (1-based) in lines. */
export function setField(lines: string[], lineNo: number, col: number, value: string, sep = ','): string[] {
  const out = lines.slice();
  const fields = out[lineNo - 1].split(sep);
  fields[col] = value;
  out[lineNo - 1] = fields.join(sep);
  return out;
}

/** A plausible cleaned customer; `over` sets the fields a test is about. */
export function customer(id: number, over: Partial<Customer> = {}): Customer {
  return {
    id,
    label: (id % 2) as 0 | 1,
    serviceType: 'стандарт',
    allowNotify: true,
    marketActive6m: 4.4,
    marketActiveCurrent: 4,
    tenureDays: 500,
    promoShare: 0.25,
    popularCategory: 'Кухонная посуда',
    categoriesPerVisit: 3,
    unpaidItems: 2,
    serviceErrors: 4,
    pagesPerVisit: 8,
    revenuePrePrev: 4800,
    revenuePrev: 5000.5,
    revenueCurrent: 5200.1,
    minutesPrev: 12,
    minutesCurrent: 13,
    profit: 4.16,
    ...over,
  };
}

/** A cleaned data set of `customer(id)` for each id, one customer dropped for zero revenue. */
export function dataset(ids: number[], over: Partial<CleanDataset> = {}): CleanDataset {
  return {
    customers: ids.map((id) => customer(id)),
    dropped: [{ id: 1, reason: 'zero_revenue' }],
    rowsIn: { 'market_file.csv': ids.length + 1 },
    customersIn: ids.length + 1,
    ...over,
  };
}

/** No segment members and no explanations: what a model over an empty data set derives. */
export const NOTHING_DERIVED: DerivedTables = {
  segments: buildSegmentTables([], () => 0, { profitQ75: 0, profitMean: 0, unpaidQ75: 0, categoriesQ75: 0, pagesQ25: 0, revenueMedian: 0 }, { highRisk: 0.7, mediumRisk: 0.4, promoShare: 0.5 }),
  explanations: [],
};
