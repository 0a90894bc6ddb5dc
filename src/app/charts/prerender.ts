/**
 * /risk charts drawn ahead of the questions. A drivers chart costs 10–15 ms of a core to draw, so
 * fifty managers asking at once about fifty customers wait for 600 ms of drawing on two cores;
 * read from disk the same charts cost nothing. After a start and after every new model, a worker
 * of its own at the lowest priority (Offload.prerender) draws the served model's chart of each
 * customer, the at-risk segment first, until the disk budget is used: the whole store at a few
 * thousand customers, the at-risk segment's head at a million. The workers that answer stay free for the questions.
 *
 * The event loop only hands out chunks of CHUNK charts, checking the budget, the model and the
 * app's shutdown between them.
 */
import type { Logger, Store } from '../../core/ports.ts';
import type { Assistant } from '../../core/assistant.ts';
import type { SegmentSet } from '../../core/ports.ts';
import type { SegmentSettings } from '../../core/segments.ts';
import type { MoneyUnits } from '../../messages.ts';
import { customerDriversChart } from '../../features/charts/specs.ts';
import type { CachingChartRenderer } from './cache.ts';
import type { ChartDiskCache } from './diskCache.ts';

const CHUNK = 10;
/** Of the disk budget, what drawing ahead may fill: the rest is for the charts answers draw. */
const AHEAD_SHARE = 0.9;

export interface PrerenderChunk {
  modelVersion: number;
  from: number;
  count: number;
  /** Bytes this chunk may still fill: it stops once its charts reach them. */
  bytes: number;
}

export interface PrerenderChunkResult {
  /** Where the next chunk starts; null when every customer is done or the model changed. */
  next: number | null;
  charts: number;
  drawn: number;
  bytes: number;
}

export interface PrerenderReport {
  modelVersion: number;
  charts: number;
  /** Of `charts`, how many had to be drawn (the rest were on disk already). */
  drawn: number;
  bytes: number;
  ms: number;
}

type Deps = {
  store: Store;
  assistant: Pick<Assistant, 'risk'>;
  charts: Pick<CachingChartRenderer, 'prerender'>;
  units: MoneyUnits;
  segments: SegmentSettings;
};

/** A model version's drawing order, read once per worker: the at-risk segment's size, and the rest only when reached. */
interface Order {
  set: SegmentSet | null;
  atRisk: number;
  rest(): Promise<number[]>;
}

const orders = new Map<number, Promise<Order>>();
function orderOf(deps: Deps, modelVersion: number): Promise<Order> {
  let order = orders.get(modelVersion);
  if (!order) {
    orders.clear(); // one model's order at a time
    order = (async () => {
      const { store } = deps;
      const set = await store.segments.find(modelVersion, deps.segments);
      const atRisk = set ? ((await store.segments.aggregates(set)).find((a) => a.code === 'at-risk')?.size ?? 0) : 0;
      let rest: Promise<number[]> | null = null;
      const restIds = async () => {
        const inAtRisk = new Set(set ? (await store.segments.members(set, 'at-risk', 0, atRisk)).map((m) => m.customer.id) : []);
        const scores = (await store.models.scores(modelVersion)).filter((s) => !inAtRisk.has(s.id));
        return scores.sort((x, y) => y.probability - x.probability || x.id - y.id).map((s) => s.id);
      };
      return { set, atRisk, rest: () => (rest ??= restIds()) };
    })();
    orders.set(modelVersion, order);
    order.catch(() => orders.delete(modelVersion));
  }
  return order;
}

/**
 * The ids [from, from + count) in the order managers ask about customers: the at-risk segment by
 * expected loss (its stored order, read a page at a time: at a million customers the budget ends
 * inside it), then everybody else by risk, highest first (read whole, which only a store small
 * enough to get that far ever does). `total` is how many there are in all.
 */
async function orderedIds(deps: Deps, modelVersion: number, from: number, count: number): Promise<{ ids: number[]; total: number }> {
  const { set, atRisk, rest } = await orderOf(deps, modelVersion);
  const ids = set && from < atRisk ? (await deps.store.segments.members(set, 'at-risk', from, Math.min(count, atRisk - from))).map((m) => m.customer.id) : [];
  if (set && ids.length === count) return { ids, total: set.population };
  const others = await rest();
  const start = Math.max(0, from - atRisk);
  ids.push(...others.slice(start, start + count - ids.length));
  return { ids, total: atRisk + others.length };
}

/** One chunk, in a worker: each customer's chart as /risk draws it (src/features/risk.ts), onto disk. */
export async function prerenderChunk(deps: Deps, { modelVersion, from, count, bytes }: PrerenderChunk, signal?: AbortSignal): Promise<PrerenderChunkResult> {
  const result: PrerenderChunkResult = { next: null, charts: 0, drawn: 0, bytes: 0 };
  const { ids, total } = await orderedIds(deps, modelVersion, from, count);
  for (const id of ids) {
    // A newer model makes these charts ones nobody will ask for.
    if (signal?.aborted || result.bytes >= bytes || (await deps.store.models.activeVersion()) !== modelVersion) return result;
    const done = await deps.charts.prerender(customerDriversChart(await deps.assistant.risk(id), deps.units));
    if (!done) return result;
    result.charts++;
    result.bytes += done.bytes;
    if (done.drawn) result.drawn++;
  }
  if (ids.length === count && from + count < total) result.next = from + count;
  return result;
}

/**
 * Chunk after chunk until every customer's chart is on disk, the budget is used, the model
 * changes or `signal` aborts; then prunes the disk to its budget.
 */
export async function prerenderCharts(
  deps: {
    store: Store;
    disk: ChartDiskCache;
    runChunk: (chunk: PrerenderChunk, signal: AbortSignal) => Promise<PrerenderChunkResult>;
    log: Logger;
  },
  signal: AbortSignal,
): Promise<PrerenderReport | null> {
  const modelVersion = await deps.store.models.activeVersion();
  if (modelVersion === null) return null;
  const t = performance.now();
  const report: PrerenderReport = { modelVersion, charts: 0, drawn: 0, bytes: 0, ms: 0 };
  let from: number | null = 0;
  const budget = deps.disk.maxBytes * AHEAD_SHARE;
  while (from !== null && report.bytes < budget && !signal.aborted) {
    const r: PrerenderChunkResult = await deps.runChunk({ modelVersion, from, count: CHUNK, bytes: budget - report.bytes }, signal);
    report.charts += r.charts;
    report.drawn += r.drawn;
    report.bytes += r.bytes;
    from = r.next;
  }
  await deps.disk.prune();
  report.ms = Math.round(performance.now() - t);
  deps.log.info('charts drawn ahead', { ...report, bytes: undefined, mb: Math.round(report.bytes / 2 ** 20) });
  return report;
}
