/**
 * Per-customer explanations: the one place that asks a model for its drivers (`explainRows`, so a
 * new explainer in src/ml is a swap there), and the train-time choice of where they come from.
 *
 * - `on-demand`: cheap enough to compute for every answer (a linear model's exact attribution
 *   takes microseconds): nothing is stored.
 * - `stored`: computed for every customer at train time and stored with the model's scores.
 * - `cached`: too costly for the whole data set at train time; computed on first use off the
 *   answering event loop (BackgroundWork.explain) and cached per (model version, customer).
 */
import type { Contribution, Explanation, Frame, Model } from '../ml/index.ts';
import type { Customer } from './domain.ts';
import { toFrame } from './features.ts';
import type { BackgroundWork, Store } from './ports.ts';

export type ExplanationTier = 'on-demand' | 'stored' | 'cached';

/** Drivers kept per customer: an answer shows five, a chart at most seven. */
export const STORED_DRIVERS = 7;
/** At or below this per-customer cost, explanations are computed for each answer (a linear model's take ~0.05 ms). */
export const ON_DEMAND_MS = 2;
/** Train-time budget for precomputing every customer's explanation (ms of one core). */
export const PRECOMPUTE_BUDGET_MS = 60_000;
/** Customers explained to estimate the per-customer cost. */
const PROBE_ROWS = 16;

/** What a model version records about its explanations (in its metrics, `explanations`). */
export interface ExplanationInfo {
  tier: ExplanationTier;
  /** Median over the first customers at train time. */
  msPerCustomer: number;
  /** Wall time spent precomputing at train time (0 unless stored). */
  precomputeMs: number;
  /** What the contributions add up from (p = base + Σ contributions), when the model says. */
  baseValue: number | null;
  drivers: number;
}

/** The model's drivers for rows of X, strongest first, the top STORED_DRIVERS of each. */
export function explainRows(model: Model, X: Frame, rows: Iterable<number>): Contribution[][] {
  const out: Contribution[][] = [];
  for (const i of rows) {
    out.push(
      model
        .explain(X, i)
        .slice(0, STORED_DRIVERS)
        .map((d) => ({ feature: d.feature, contribution: d.contribution })),
    );
  }
  return out;
}

/** The value explanations are measured against, if the model exposes one. */
export function baseValueOf(model: Model): number | null {
  const base = model.base;
  return Number.isFinite(base) ? base : null;
}

export function chooseTier(msPerCustomer: number, customers: number, budgetMs = PRECOMPUTE_BUDGET_MS): ExplanationTier {
  if (msPerCustomer <= ON_DEMAND_MS) return 'on-demand';
  return msPerCustomer * customers <= budgetMs ? 'stored' : 'cached';
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);

/**
 * Times the explainer on the first customers, picks the tier and, for `stored`, explains every
 * customer (reusing the timed ones); for `cached`, only the rows of `first`. `ids[i]` is the
 * customer of row i of X.
 */
export function precomputeExplanations(
  model: Model,
  X: Frame,
  ids: ArrayLike<number>,
  opts: {
    budgetMs?: number;
    now?: () => number;
    /** Rows explained even when the tier is `cached`: the customers the first answers are about. */
    first?: Iterable<number>;
  } = {},
): { info: ExplanationInfo; rows: { id: number; drivers: Contribution[] }[] } {
  const now = opts.now ?? (() => performance.now());
  const first: Contribution[][] = [];
  const took: number[] = [];
  for (let i = 0; i < Math.min(PROBE_ROWS, X.n); i++) {
    const t = now();
    first.push(...explainRows(model, X, [i]));
    took.push(now() - t);
  }
  // The median, so one scheduling hiccup on a busy machine does not move a model to another tier.
  const msPerCustomer = took.length ? took.sort((a, b) => a - b)[took.length >> 1] : 0;
  const tier = chooseTier(msPerCustomer, X.n, opts.budgetMs);
  const info: ExplanationInfo = { tier, msPerCustomer, precomputeMs: 0, baseValue: baseValueOf(model), drivers: STORED_DRIVERS };
  if (tier === 'on-demand') return { info, rows: [] };
  if (tier === 'cached') {
    const t = now();
    const rows = [...new Set(opts.first ?? [])];
    const explained = explainRows(model, X, rows);
    info.precomputeMs = now() - t;
    return { info, rows: rows.map((row, k) => ({ id: ids[row], drivers: explained[k] })) };
  }
  const t = now();
  const all = [...first, ...explainRows(model, X, range(first.length, X.n))];
  info.precomputeMs = now() - t + took.reduce((a, b) => a + b, 0);
  return { info, rows: all.map((drivers, i) => ({ id: ids[i], drivers })) };
}

/**
 * Explanations of the training customers by the fold models that scored them (`explainTraining`),
 * stored for every customer whatever the cost: without them a shown score and its drivers would
 * come from different models.
 */
export function crossFittedExplanations(
  customers: readonly { id: number }[],
  explainTraining: (row: number) => Explanation,
  now: () => number = () => performance.now(),
): { info: ExplanationInfo; rows: { id: number; drivers: Contribution[]; base: number }[] } {
  const t = now();
  const rows = customers.map((c, i) => {
    const e = explainTraining(i);
    return { id: c.id, drivers: e.contributions.map((d) => ({ feature: d.feature, contribution: d.contribution })), base: e.base };
  });
  const precomputeMs = now() - t;
  const meanBase = rows.length ? rows.reduce((a, r) => a + r.base, 0) / rows.length : null;
  return {
    info: { tier: 'stored', msPerCustomer: rows.length ? precomputeMs / rows.length : 0, precomputeMs, baseValue: meanBase, drivers: rows[0]?.drivers.length ?? 0 },
    rows,
  };
}

/**
 * A customer's drivers under the loaded model, from wherever its tier says. Models stored before
 * tiers were recorded are treated as `cached`: their cost is unknown, so the first answer for a
 * customer computes off the event loop and later ones read the cache.
 */
export class Explanations {
  private readonly pending = new Map<string, Promise<Contribution[]>>();

  constructor(
    private readonly store: Store,
    private readonly work: BackgroundWork,
  ) {}

  async of(loaded: { meta: { version: number }; model: Model; explanations?: ExplanationInfo }, customer: Customer): Promise<Contribution[]> {
    const version = loaded.meta.version;
    if (loaded.explanations?.tier === 'on-demand') return explainRows(loaded.model, toFrame([customer]), [0])[0];
    const stored = await this.store.explanations.get(version, customer.id);
    if (stored) return stored;
    const key = `${version}:${customer.id}`;
    let job = this.pending.get(key);
    if (!job) {
      job = this.work
        .explain(version, [customer.id])
        .then(async ([row]) => {
          await this.store.explanations.put(version, [row]);
          return row.drivers;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    return job;
  }
}
