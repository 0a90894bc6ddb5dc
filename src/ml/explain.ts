import { zeros } from './matrix.ts';
import { Rng } from './rng.ts';
import type { Matrix } from './types.ts';

/**
 * Exact attributions of a linear-logit model, in probability points: each raw feature gets
 * Σ coef·(x − training mean) over its encoded columns, and the logit-space total is rescaled by the
 * secant (p − p₀)/(η − η₀) so the contributions add up to p − p₀ exactly, p₀ being the probability at the mean.
 */
export function linearContributions(
  coef: Float64Array,
  intercept: number,
  x: Float64Array,
  means: Float64Array,
  groups: readonly number[],
  nFeatures: number,
  toProbability: (eta: number) => number,
): Float64Array {
  const phi = new Float64Array(nFeatures);
  let eta = intercept;
  let eta0 = intercept;
  for (let j = 0; j < coef.length; j++) {
    phi[groups[j]] += coef[j] * (x[j] - means[j]);
    eta += coef[j] * x[j];
    eta0 += coef[j] * means[j];
  }
  const d = eta - eta0;
  // Near the mean the secant becomes the derivative; a central difference avoids 0/0.
  const scale =
    Math.abs(d) > 1e-6 ? (toProbability(eta) - toProbability(eta0)) / d : (toProbability(eta0 + 1e-4) - toProbability(eta0 - 1e-4)) / 2e-4;
  for (let f = 0; f < nFeatures; f++) phi[f] *= scale;
  return phi;
}

/**
 * Shapley values by permutation sampling (Štrumbelj & Kononenko) for any model: along a random order of
 * the raw features, a background row is switched to `x` one feature (all its encoded columns) at a time,
 * and each switch's change in probability is credited to that feature. Orders come in antithetic pairs
 * (an order and its reverse) to cut variance. Per sample the credits sum to f(x) − f(background row),
 * so the result sums exactly to f(x) − mean f(background used). All rows are scored in one batch.
 */
export function sampledShapley(
  predict: (M: Matrix) => Float64Array,
  x: Float64Array,
  background: Matrix,
  groups: readonly number[],
  nFeatures: number,
  samples: number,
  seed: number,
): Float64Array {
  const width = x.length;
  const colsOf: number[][] = Array.from({ length: nFeatures }, () => []);
  groups.forEach((f, j) => colsOf[f].push(j));
  const rng = new Rng(seed);
  const orders: Uint16Array[] = [];
  for (let s = 0; s < samples; s += 2) {
    const order = rng.shuffle(Uint16Array.from({ length: nFeatures }, (_, i) => i));
    orders.push(order, order.slice().reverse());
  }
  const m = orders.length;
  const pairs = m >> 1;
  const bgRows = Math.min(pairs, background.rows);
  // Batch layout: the distinct background rows, then x, then each path's F − 1 intermediate rows;
  // a path starts at its background row and ends at x, which are scored once, not once per path.
  const inner = nFeatures - 1;
  const batch = zeros(bgRows + 1 + m * inner, width);
  const d = batch.data;
  d.set(background.data.subarray(0, bgRows * width), 0);
  d.set(x, bgRows * width);
  for (let s = 0; s < m; s++) {
    const b = (s >> 1) % bgRows;
    const cur = Float64Array.from(background.data.subarray(b * width, (b + 1) * width));
    let r = bgRows + 1 + s * inner;
    for (let k = 0; k < inner; k++) {
      for (const j of colsOf[orders[s][k]]) cur[j] = x[j];
      d.set(cur, r++ * width);
    }
  }
  const p = predict(batch);
  const px = p[bgRows];
  const phi = new Float64Array(nFeatures);
  for (let s = 0; s < m; s++) {
    let prev = p[(s >> 1) % bgRows];
    const base = bgRows + 1 + s * inner;
    for (let k = 0; k < nFeatures; k++) {
      const next = k < inner ? p[base + k] : px;
      phi[orders[s][k]] += next - prev;
      prev = next;
    }
  }
  for (let f = 0; f < nFeatures; f++) phi[f] /= m;
  return phi;
}

/**
 * Rescales attributions so they add up to `total` (p − base rate), spreading the gap in proportion
 * to |φ|: signs and ranking are kept, features with no effect stay at zero. The gap comes from the
 * background's mean prediction (or the linear model's p at the mean) differing a little from the base rate.
 */
export function matchTotal(phi: Float64Array, total: number): Float64Array {
  let sum = 0;
  let mass = 0;
  for (const v of phi) (sum += v), (mass += Math.abs(v));
  const gap = total - sum;
  const out = new Float64Array(phi.length);
  for (let f = 0; f < phi.length; f++) out[f] = phi[f] + (mass > 0 ? (gap * Math.abs(phi[f])) / mass : gap / phi.length);
  return out;
}
