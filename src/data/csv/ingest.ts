/**
 * Reads, validates, cleans and pivots the four files of a data set into a CleanDataset.
 * Every problem in every file is collected; if there is any, DataError lists them all and
 * nothing is returned.
 */
import { DataError } from '../../core/errors.ts';
import { DEFAULT_OUTLIER_IQR_K } from './clean.ts';
import { crossCheck } from './crossCheck.ts';
import { DecimalStats } from './numbers.ts';
import { cleanAndPivot } from './pivot.ts';
import { ProblemLog } from './problems.ts';
import { readCsv } from './reader.ts';
import type { FileFormat, IngestResult, ReadOptions } from './types.ts';
import { RowReader } from './rows.ts';
import { REVENUE_PERIODS, ROLES, ROLE_FILE, TIME_PERIODS, roleOfFileName, type Role } from './schema.ts';
import { SeenIds, checkFieldCount, marketFileSink, moneySink, periodFileSink, type FileState } from './sinks.ts';
import { bufferSources, dirSources, type SourceSet } from './sources.ts';
import { CustomerStreamer } from './stream.ts';
import { CustomerTable } from './table.ts';

export type { FileFormat, IngestResult, ReadOptions } from './types.ts';

/** Reads `market_file.csv`, `market_money.csv`, `market_time.csv` and `money.csv` from a directory. */
export async function readDatasetDir(dir: string, opts: ReadOptions = {}): Promise<IngestResult> {
  const problems = newProblemLog(opts);
  const sources = await dirSources(dir, problems);
  return ingest(sources, problems, opts);
}

/**
 * Reads uploaded files (e.g. from Telegram): keys are file names, matched to the four roles;
 * a `.zip` holding them (in any folder) is unpacked, other entries are ignored.
 */
export async function readDatasetFiles(files: Record<string, Uint8Array>, opts: ReadOptions = {}): Promise<IngestResult> {
  const problems = newProblemLog(opts);
  const sources = bufferSources(files, problems, opts.zipLimits);
  return ingest(sources, problems, opts);
}

/**
 * Problems listed file by file — archives and folders first, then the four files in role order
 * (market_file, market_money, market_time, money) — and by line within a file.
 */
function newProblemLog(opts: ReadOptions): ProblemLog {
  return new ProblemLog(opts.maxProblemsPerFile, (file) => {
    const role = roleOfFileName(file);
    return role ? ROLES.indexOf(role) : -1;
  });
}

async function ingest(sources: SourceSet, problems: ProblemLog, opts: ReadOptions): Promise<IngestResult> {
  // ~120 bytes per market_file.csv line in real exports; over-estimating a little is cheap.
  const expected = sources.market_file ? Math.ceil(sources.market_file.size / 100) : 1024;
  const table = new CustomerTable(REVENUE_PERIODS.length, TIME_PERIODS.length, expected);
  const states = {} as Record<Role, FileState>;
  const formats: Partial<Record<Role, FileFormat>> = {};
  const rowsIn: Record<string, number> = {};

  for (const role of ROLES) {
    const src = sources[role];
    states[role] = { name: src?.name ?? ROLE_FILE[role], usable: false, rows: 0, seen: new SeenIds() };
  }
  const k = opts.outlierIqrK ?? DEFAULT_OUTLIER_IQR_K;
  let streamer: CustomerStreamer | null = null;
  for (const role of opts.sink ? STREAMING_ORDER : ROLES) {
    const src = sources[role];
    if (!src) continue;
    const st = states[role];
    const decimals = new DecimalStats();
    const rr = new RowReader(st.name, problems, decimals);
    if (role === 'market_file' && opts.sink) streamer = new CustomerStreamer(table, problems, opts.sink, k);
    const sink =
      role === 'market_file'
        ? marketFileSink(st, table, problems, rr, opts, streamer ? (s) => streamer!.offer(s) : undefined)
        : role === 'money'
          ? moneySink(st, table, problems, rr)
          : periodFileSink(st, table, problems, rr, role);
    if (streamer) sink.ready = () => streamer!.ready();
    const result = await readCsv(st.name, src.open(), checkFieldCount(sink, st.name, problems), problems);
    if (!result.format || result.dataRows === 0) st.usable = false;
    if (result.format) formats[role] = { ...result.format, decimal: decimals.style };
    st.rows = result.dataRows;
  }
  // In role order whatever the reading order: the stored rows_in and the printed summary list them so.
  for (const role of ROLES) if (sources[role]) rowsIn[ROLE_FILE[role]] = states[role].rows;
  crossCheck(table, states, problems);
  if (problems.count > 0) throw new DataError(problems.list());
  const result = cleanAndPivot(table, rowsIn, inRoleOrder(formats), k);
  streamer?.verify(result.customers);
  return result;
}

/**
 * Reading order when customers are streamed: the files that complete a customer first, so each
 * market_file.csv row can be handed on as it is read. Problems, rows and customers come out as in
 * role order (ProblemLog sorts by file, the table keeps market_file.csv's order).
 */
const STREAMING_ORDER: readonly Role[] = ['market_money', 'market_time', 'money', 'market_file'];

function inRoleOrder<T>(byRole: Partial<Record<Role, T>>): Partial<Record<Role, T>> {
  const out: Partial<Record<Role, T>> = {};
  for (const role of ROLES) if (byRole[role] !== undefined) out[role] = byRole[role];
  return out;
}

