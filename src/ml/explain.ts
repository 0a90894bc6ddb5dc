import type { Walk } from './estimator.ts';
import { zeros } from './matrix.ts';
import { Rng } from './rng.ts';
import type { Matrix } from './types.ts';

/** The reference customers an explanation is measured against, in encoded form. */
export interface Background {
  rows: Matrix;
  /** Share of the reference data each row stands for; sums to 1. */
  weights: Float64Array;
}

/**
 * A small background that stands for all of `M`: rows sorted by the model's prediction are cut into
 * `size` strata of near-equal size and one row is drawn at random from each, weighted by its stratum's
 * share. That is stratified random sampling, so any mean over the background — the base, or the value
 * of a feature coalition — estimates the mean over `M` without bias, and the strata on the prediction
 * make the base land within a fraction of a point of the mean prediction over all of `M`.
 */
export function stratifiedBackground(M: Matrix, pred: ArrayLike<number>, size: number, seed: number): Background {
  const n = M.rows;
  const b = Math.min(size, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => pred[i] - pred[j] || i - j);
  const rng = new Rng(seed);
  const rows = zeros(b, M.cols);
  const weights = new Float64Array(b);
  for (let h = 0; h < b; h++) {
    const lo = Math.floor((h * n) / b);
    const hi = Math.floor(((h + 1) * n) / b);
    const pick = order[lo + rng.int(hi - lo)];
    rows.data.set(M.data.subarray(pick * M.cols, (pick + 1) * M.cols), h * M.cols);
    weights[h] = (hi - lo) / n;
  }
  return { rows, weights };
}

/** The base of an explanation: the model's weighted mean prediction over the background. */
export function backgroundMean(bg: Background, pred: ArrayLike<number>): number {
  let s = 0;
  for (let h = 0; h < bg.weights.length; h++) s += bg.weights[h] * pred[h];
  return s;
}

/**
 * Interventional Shapley values of f at x over a background (Janzing et al. 2020; the estimator of
 * Štrumbelj & Kononenko 2014). The value of a feature coalition S is the background mean of f with
 * S's features taken from x and the rest from the background row. For each background row, `orders`
 * feature orders — random ones, each followed by its reverse while the count allows (antithetic pairs)
 * — walk from the row to x one raw feature (all its encoded columns) at a time, crediting each switch's
 * change in f to that feature. Features on which the row already equals x change nothing and are
 * skipped without scoring. On the shop's data most of the error comes from which rows stand in for the
 * customers, so one order per row over twice the rows beats antithetic pairs at the same cost.
 *
 * Each walk's credits are an unbiased draw of the row's Shapley values (a uniformly random order), and
 * every background row is walked equally often, so the estimate is unbiased and its total is exactly
 * f(x) − Σ w·f(row): the walks telescope from `bgPred` to `fx`. No rescaling happens anywhere; `fx` and
 * `bgPred` must therefore be what the model returns for x and for the background rows, and `score`
 * what it returns for the walks' inner rows (estimator.ts `scoreWalks`).
 */
export function interventionalShapley(
  score: (walks: readonly Walk[]) => Float64Array,
  x: Float64Array,
  fx: number,
  bg: Background,
  bgPred: ArrayLike<number>,
  groups: readonly number[],
  nFeatures: number,
  orders: number,
  seed: number,
): Float64Array {
  const colsOf: number[][] = Array.from({ length: nFeatures }, () => []);
  groups.forEach((f, j) => colsOf[f].push(j));
  const rng = new Rng(seed);
  const B = bg.weights.length;
  const width = x.length;
  const walks: Walk[] = [];
  const walkOrders: number[][] = [];
  for (let b = 0; b < B; b++) {
    const start = b * width;
    const differ: number[] = [];
    for (let f = 0; f < nFeatures; f++) if (colsOf[f].some((j) => bg.rows.data[start + j] !== x[j])) differ.push(f);
    for (let k = 0; k < orders; k += 2) {
      const order = rng.shuffle(differ.slice());
      for (const o of k + 1 < orders ? [order, order.slice().reverse()] : [order]) {
        walkOrders.push(o);
        walks.push({ start: b, steps: o.map((f) => colsOf[f]) });
      }
    }
  }
  const p = score(walks);
  const phi = new Float64Array(nFeatures);
  let r = 0;
  walks.forEach((walk, s) => {
    const order = walkOrders[s];
    const w = bg.weights[walk.start] / orders;
    let prev = bgPred[walk.start];
    for (let k = 0; k < order.length; k++) {
      const next = k + 1 < order.length ? p[r++] : fx;
      phi[order[k]] += w * (next - prev);
      prev = next;
    }
  });
  return phi;
}
