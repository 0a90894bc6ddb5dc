/**
 * One sink per file role: maps the header, reads each row into the CustomerTable and
 * reports what is wrong with it. Cross-file checks come after all files are read (crossCheck.ts).
 */
import { DATA_ERRORS } from '../../messages.ts';
import type { ReadOptions } from './types.ts';
import type { ProblemLog } from './problems.ts';
import { deliver, type CsvSink } from './reader.ts';
import { LABELS, PERIODS, SERVICES, YES_NO, Vocabulary, shown, type RowReader } from './rows.ts';
import {
  COLUMNS,
  LABEL_DISPLAY,
  MARKET_NUMERIC,
  MARKET_NUMERIC_FIELDS,
  REQUIRED_COLUMNS,
  REVENUE_PERIODS,
  SERVICE_DISPLAY,
  TIME_PERIODS,
  YES_NO_DISPLAY,
  headerKey,
  type MarketNumericField,
  type NumericColumn,
} from './schema.ts';
import { NO_LABEL, type CustomerTable } from './table.ts';

/**
 * Where each customer first appeared in one file, and whether one of its rows there was
 * rejected (then «missing period» would only repeat the problem already reported for that row).
 */
export class SeenIds {
  line = new Int32Array(0);
  tainted = new Uint8Array(0);

  mark(slot: number, line: number, tainted = false): void {
    if (slot >= this.line.length) {
      const n = Math.max(slot + 1, this.line.length * 2, 1024);
      const l = new Int32Array(n);
      l.set(this.line);
      const t = new Uint8Array(n);
      t.set(this.tainted);
      this.line = l;
      this.tainted = t;
    }
    if (this.line[slot] === 0) this.line[slot] = line;
    if (tainted) this.tainted[slot] = 1;
  }

  lineOf(slot: number): number {
    return slot < this.line.length ? this.line[slot] : 0;
  }

  isTainted(slot: number): boolean {
    return slot < this.tainted.length && this.tainted[slot] === 1;
  }
}

export interface FileState {
  name: string;
  /** Header understood and at least one data row: the file takes part in cross-file checks. */
  usable: boolean;
  rows: number;
  seen: SeenIds;
}

/** Column positions by header; reports duplicate and missing required columns. */
export function mapHeader(fields: string[], required: readonly string[], optional: readonly string[], file: string, problems: ProblemLog): Map<string, number> | null {
  const byKey = new Map<string, number>();
  const wanted = new Set([...required, ...optional].map(headerKey));
  fields.forEach((f, i) => {
    const key = headerKey(f);
    if (!wanted.has(key)) return;
    if (byKey.has(key)) problems.add(file, 1, DATA_ERRORS.duplicateColumn(f.trim()), f.trim());
    else byKey.set(key, i);
  });
  let ok = true;
  for (const col of required) {
    if (!byKey.has(headerKey(col))) {
      problems.add(file, 1, DATA_ERRORS.missingColumn(col), col);
      ok = false;
    }
  }
  const out = new Map<string, number>();
  for (const col of [...required, ...optional]) {
    const i = byKey.get(headerKey(col));
    if (i !== undefined) out.set(col, i);
  }
  return ok ? out : null;
}

/** `read` is told each slot whose market_file.csv row has just been read (its problems reported). */
export function marketFileSink(st: FileState, table: CustomerTable, problems: ProblemLog, rr: RowReader, opts: ReadOptions, read?: (slot: number) => void): CsvSink {
  let idCol = 0;
  let serviceCol = 0;
  let notifyCol = 0;
  let labelCol: number | undefined;
  let labelled = 0;
  const emptyLabelLines: number[] = [];
  let categoryCol = 0;
  const categories = new Vocabulary<number>({}, (raw) => {
    const name = raw.trim().replace(/\s+/g, ' ');
    return name === '' ? undefined : table.categoryId(name);
  });
  // Resolved once from the header: per row, map and keyed look-ups were a good share of the time.
  let numericCols: (NumericColumn & { field: MarketNumericField; col: number })[] = [];
  return {
    header(fields) {
      const required = opts.requireLabel ? [...REQUIRED_COLUMNS.market_file, COLUMNS.label] : REQUIRED_COLUMNS.market_file;
      const cols = mapHeader(fields, required, [COLUMNS.label], st.name, problems);
      if (!cols) return false;
      idCol = cols.get(COLUMNS.id)!;
      serviceCol = cols.get(COLUMNS.serviceType)!;
      notifyCol = cols.get(COLUMNS.allowNotify)!;
      labelCol = cols.get(COLUMNS.label);
      categoryCol = cols.get(COLUMNS.popularCategory)!;
      numericCols = MARKET_NUMERIC_FIELDS.map((field) => {
        const { header, min, max }: NumericColumn = MARKET_NUMERIC[field];
        return { field, col: cols.get(header)!, header, min, max };
      });
      st.usable = true;
      return true;
    },
    record(r, line) {
      const id = rr.id(r, idCol, line);
      if (id === null) return;
      const existing = table.slotOf(id);
      if (existing !== undefined && table.marketLine[existing] > 0) {
        problems.add(st.name, line, DATA_ERRORS.duplicateId(id, table.marketLine[existing]), COLUMNS.id);
        return;
      }
      const s = table.slot(id);
      table.markMarket(s, line);
      if (labelCol === undefined) table.label[s] = NO_LABEL;
      else if (r.isBlank(labelCol)) {
        table.label[s] = NO_LABEL;
        emptyLabelLines.push(line);
      } else {
        labelled++;
        table.label[s] = rr.word(r, labelCol, COLUMNS.label, line, LABELS, LABEL_DISPLAY) ?? NO_LABEL;
      }
      table.service[s] = rr.word(r, serviceCol, COLUMNS.serviceType, line, SERVICES, SERVICE_DISPLAY) === 'премиум' ? 0 : 1;
      table.notify[s] = rr.word(r, notifyCol, COLUMNS.allowNotify, line, YES_NO, YES_NO_DISPLAY) ? 1 : 0;
      for (const n of numericCols) table.numeric[n.field][s] = rr.number(r, n.col, n.header, line, n.min, n.max);
      const category = categories.lookup(r.field(categoryCol));
      if (category === undefined) problems.add(st.name, line, DATA_ERRORS.emptyValue(COLUMNS.popularCategory), COLUMNS.popularCategory);
      else table.category[s] = category;
      read?.(s);
    },
    end() {
      // A label column left blank throughout (a scoring-only export) means «no labels»;
      // blanks among filled labels, or any blank when labels are required, are problems.
      if (labelled === 0 && !opts.requireLabel) return;
      for (const line of emptyLabelLines) problems.add(st.name, line, DATA_ERRORS.emptyValue(COLUMNS.label), COLUMNS.label);
    },
    rejected(r, line) {
      // The customer exists even if its row is broken: other files should not call it unknown.
      const id = quietId(r[idCol]);
      if (id === null) return;
      table.markMarket(table.slot(id), line);
    },
  };
}

/** The id of a rejected row if it plainly is one, without reporting anything. */
function quietId(raw: string | undefined): number | null {
  const s = raw?.trim() ?? '';
  return /^\d{1,15}$/.test(s) && Number(s) > 0 ? Number(s) : null;
}

export function periodFileSink(
  st: FileState,
  table: CustomerTable,
  problems: ProblemLog,
  rr: RowReader,
  role: 'market_money' | 'market_time',
): CsvSink {
  const periods: readonly string[] = role === 'market_money' ? REVENUE_PERIODS : TIME_PERIODS;
  const valueColumn = role === 'market_money' ? COLUMNS.revenue : COLUMNS.minutes;
  let idCol = 0;
  let periodCol = 0;
  let valueCol = 0;
  return {
    header(fields) {
      const cols = mapHeader(fields, REQUIRED_COLUMNS[role], [], st.name, problems);
      if (!cols) return false;
      idCol = cols.get(COLUMNS.id)!;
      periodCol = cols.get(COLUMNS.period)!;
      valueCol = cols.get(valueColumn)!;
      st.usable = true;
      return true;
    },
    record(r, line) {
      const id = rr.id(r, idCol, line);
      if (id === null) return;
      const s = table.slot(id);
      const canonical = PERIODS.lookup(r.field(periodCol));
      const p = canonical === undefined ? -1 : periods.indexOf(canonical);
      if (p === -1) {
        st.seen.mark(s, line, true);
        const raw = r.field(periodCol).trim();
        problems.add(st.name, line, raw === '' ? DATA_ERRORS.emptyValue(COLUMNS.period) : DATA_ERRORS.unknownValue(COLUMNS.period, shown(raw), periods), COLUMNS.period);
        return;
      }
      st.seen.mark(s, line);
      const lines = role === 'market_money' ? table.revenueLine[p] : table.minutesLine[p];
      if (lines[s] > 0) {
        problems.add(st.name, line, DATA_ERRORS.duplicatePeriod(id, periods[p], lines[s]), COLUMNS.period);
        return;
      }
      lines[s] = line;
      const values = role === 'market_money' ? table.revenue[p] : table.minutes[p];
      values[s] = rr.number(r, valueCol, valueColumn, line, 0);
    },
    rejected(r, line) {
      const id = quietId(r[idCol]);
      if (id !== null) st.seen.mark(table.slot(id), line, true);
    },
  };
}

export function moneySink(st: FileState, table: CustomerTable, problems: ProblemLog, rr: RowReader): CsvSink {
  let idCol = 0;
  let profitCol = 0;
  return {
    header(fields) {
      const cols = mapHeader(fields, REQUIRED_COLUMNS.money, [], st.name, problems);
      if (!cols) return false;
      idCol = cols.get(COLUMNS.id)!;
      profitCol = cols.get(COLUMNS.profit)!;
      st.usable = true;
      return true;
    },
    record(r, line) {
      const id = rr.id(r, idCol, line);
      if (id === null) return;
      const s = table.slot(id);
      if (table.profitLine[s] > 0) {
        problems.add(st.name, line, DATA_ERRORS.duplicateId(id, table.profitLine[s]), COLUMNS.id);
        return;
      }
      st.seen.mark(s, line);
      table.profitLine[s] = line;
      table.profit[s] = rr.number(r, profitCol, COLUMNS.profit, line);
    },
    rejected(r, line) {
      const id = quietId(r[idCol]);
      if (id !== null) st.seen.mark(table.slot(id), line, true);
    },
  };
}

/** Wraps a sink so a row with the wrong number of fields is reported instead of delivered. */
export function checkFieldCount(sink: CsvSink, file: string, problems: ProblemLog): CsvSink {
  let expected = 0;
  return {
    header(fields) {
      expected = fields.length;
      while (expected > 1 && fields[expected - 1].trim() === '') expected--;
      return sink.header(fields.slice(0, expected));
    },
    record(r, line) {
      if (r.length > expected) {
        let extraBlank = true;
        for (let i = expected; i < r.length; i++) if (!r.isBlank(i)) extraBlank = false;
        if (extraBlank) r.length = expected;
      }
      if (r.length !== expected) {
        problems.add(file, line, DATA_ERRORS.fieldCount(expected, r.length));
        sink.rejected?.(r.fields(), line);
        return;
      }
      deliver(sink, r, line);
    },
    end: () => sink.end?.(),
    ready: () => sink.ready?.(),
  };
}

