/**
 * Cell-level reading with problem reporting: ids, numbers and words from closed vocabularies,
 * each failure reported as a Russian FileProblem at its line and column.
 */
import { DATA_ERRORS } from '../../messages.ts';
import { DecimalStats, parseNumberIn, whyNotNumber } from './numbers.ts';
import type { ProblemLog } from './problems.ts';
import type { CsvRecord } from './record.ts';
import { COLUMNS, LABEL_WORDS, PERIOD_WORDS, SERVICE_WORDS, YES_NO_WORDS, wordKey } from './schema.ts';

export const shown = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}…` : v);

export class RowReader {
  constructor(
    private readonly file: string,
    private readonly problems: ProblemLog,
    private readonly decimals: DecimalStats,
  ) {}


  /** The id in field `i`, or null after reporting it. */
  id(rec: CsvRecord, i: number, line: number): number | null {
    const text = rec.textOf(i);
    const start = rec.start(i);
    const end = rec.end(i);
    let n = 0;
    if (end === start || end - start > 15) n = NaN;
    for (let k = start; k < end && n === n; k++) {
      const c = text.charCodeAt(k) - 48;
      n = c >= 0 && c <= 9 ? n * 10 + c : NaN;
    }
    if (n === n && n > 0) return n;
    const raw = rec.field(i);
    if (n !== n) n = /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw.trim()) : NaN;
    if (!(n > 0)) {
      const s = raw.trim();
      this.problems.add(this.file, line, s === '' ? DATA_ERRORS.emptyValue(COLUMNS.id) : DATA_ERRORS.badId(shown(s)), COLUMNS.id);
      return null;
    }
    return n;
  }

  /** The number in field `i`, or NaN after reporting why it is unusable. */
  number(rec: CsvRecord, i: number, column: string, line: number, min?: number, max?: number): number {
    const v = parseNumberIn(rec.textOf(i), rec.start(i), rec.end(i), this.decimals);
    if (v !== v) {
      const raw = rec.field(i);
      const why = whyNotNumber(raw);
      const msg = why === 'empty' ? DATA_ERRORS.emptyValue(column) : why === 'nan' ? DATA_ERRORS.nanValue(column) : DATA_ERRORS.notNumber(column, shown(raw.trim()));
      this.problems.add(this.file, line, msg, column);
      return NaN;
    }
    if (min !== undefined && v < min) {
      const raw = rec.field(i);
      this.problems.add(this.file, line, min === 0 && max === undefined ? DATA_ERRORS.negative(column, raw.trim()) : DATA_ERRORS.outOfRange(column, raw.trim(), min, max ?? Infinity), column);
      return NaN;
    }
    if (max !== undefined && v > max) {
      this.problems.add(this.file, line, DATA_ERRORS.outOfRange(column, rec.field(i).trim(), min ?? -Infinity, max), column);
      return NaN;
    }
    return v;
  }

  /** The word in field `i` from a closed vocabulary, or undefined after reporting it. */
  word<T>(rec: CsvRecord, i: number, column: string, line: number, vocabulary: Vocabulary<T>, allowed: readonly string[]): T | undefined {
    const raw = rec.field(i);
    const v = vocabulary.lookup(raw);
    if (v === undefined) {
      const s = raw.trim();
      this.problems.add(this.file, line, s === '' ? DATA_ERRORS.emptyValue(column) : DATA_ERRORS.unknownValue(column, shown(s), allowed), column);
    }
    return v;
  }
}

/**
 * A closed set of words matched by wordKey, memoised on the raw cell text: a million rows
 * repeat the same handful of spellings, and normalising each one is the slow part.
 */
export class Vocabulary<T> {
  private readonly raws: string[] = [];
  private readonly values: (T | undefined)[] = [];
  constructor(
    private readonly words: Record<string, T>,
    private readonly resolve: (raw: string) => T | undefined = (raw) => {
      const key = wordKey(raw);
      return Object.hasOwn(this.words, key) ? this.words[key] : undefined;
    },
  ) {}

  lookup(raw: string): T | undefined {
    const raws = this.raws;
    for (let i = 0; i < raws.length; i++) if (raws[i] === raw) return this.values[i];
    const v = this.resolve(raw);
    if (raws.length < 64) {
      raws.push(raw);
      this.values.push(v);
    }
    return v;
  }
}

export const LABELS = new Vocabulary<0 | 1>(LABEL_WORDS);
export const SERVICES = new Vocabulary(SERVICE_WORDS);
export const YES_NO = new Vocabulary(YES_NO_WORDS);
export const PERIODS = new Vocabulary(PERIOD_WORDS);

