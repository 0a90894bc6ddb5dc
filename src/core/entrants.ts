/**
 * High-profit customers who entered the high-risk band between two models: the news worth an alert
 * after an upload. «High profit» is the «Прибыльные под угрозой» rule: profit in the top quarter of
 * the new data set (its stored cut-off) and a probability above the high-risk threshold.
 */
import type { Store } from './ports.ts';
import type { BandThresholds } from './risk.ts';
import { quantile } from './segments.ts';

export interface Entrant {
  id: number;
  probability: number;
  /** The probability the earlier model gave. */
  previous: number;
  profit: number;
  /** probability × profit, the order of every call list. */
  expectedLoss: number;
}

export interface Entrants {
  /** How many entered; `top` holds the first few by expected loss. */
  count: number;
  top: Entrant[];
}

export const NO_ENTRANTS: Entrants = { count: 0, top: [] };

/**
 * Customers scored by both models who were not above `risk.high` under `fromModel` and are, with a
 * high profit, under `toModel`; sorted by expected loss. Customers new to the data set are not counted:
 * they did not «enter» the band, they were not there before.
 */
export async function highRiskEntrants(store: Store, fromModel: number, toModel: number, risk: BandThresholds, top = 3): Promise<Entrants> {
  if (fromModel === toModel) return NO_ENTRANTS;
  const meta = await store.models.meta(toModel);
  if (!meta) return NO_ENTRANTS;
  const before = new Map((await store.models.scores(fromModel)).map((s) => [s.id, s.probability]));
  const stored = (meta.metrics as { segmentCutoffs?: { profitQ75?: number } }).segmentCutoffs?.profitQ75;
  const profitQ75 = typeof stored === 'number' ? stored : await profitQuartile(store, meta.datasetVersion);
  const entrants: Entrant[] = [];
  for (const s of await store.models.scores(toModel)) {
    const previous = before.get(s.id);
    if (previous === undefined || previous > risk.high || !(s.probability > risk.high)) continue;
    const customer = await store.datasets.customer(meta.datasetVersion, s.id);
    if (!customer || customer.profit < profitQ75) continue;
    entrants.push({ id: s.id, probability: s.probability, previous, profit: customer.profit, expectedLoss: s.probability * customer.profit });
  }
  entrants.sort((a, b) => b.expectedLoss - a.expectedLoss || a.id - b.id);
  return { count: entrants.length, top: entrants.slice(0, top) };
}

/** For models stored before cut-offs were recorded: the top-quarter profit of their data set. */
async function profitQuartile(store: Store, datasetVersion: number): Promise<number> {
  const profits = Float64Array.from(await store.datasets.customers(datasetVersion), (c) => c.profit).sort();
  return profits.length ? quantile(profits, 0.75) : Number.POSITIVE_INFINITY;
}
