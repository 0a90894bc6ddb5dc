import { takeFrameRows, validateFrame, withColumn } from './frame.ts';
import { Rng } from './rng.ts';
import type { ColumnSpec, Frame } from './types.ts';

/** How the probability moves with one feature, and how the raw data moves with it. */
export interface FeatureDirection {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Numeric: Pearson correlation of the feature with the label over the given rows; 0 for categorical features. */
  correlation: number;
  /** With `opts.scores`, over every row: Pearson correlation of a numeric feature with the scores; 0 for categorical features. */
  scoreCorrelation?: number;
  /** Categorical, with `opts.scores`, over every row: each level (sorted) with its row count and mean score. */
  scoreByLevel?: { value: string; rows: number; meanScore: number }[];
  /**
   * Partial dependence: the mean predicted probability over a sample of the rows with the feature set
   * to each value (numeric: the distinct 10th, 30th, 50th, 70th and 90th percentiles; categorical: each level),
   * next to the label rate among the rows that really have about that value. Empty for a feature
   * `opts.partialDependence` leaves out (pdDelta and direction are then 0).
   */
  curve: { value: number | string; meanProbability: number; labelRate: number; rows: number }[];
  /** Numeric: PD at the 90th percentile minus PD at the 10th, in probability points (> 0: more of it, more risk). */
  pdDelta: number;
  /** Sign of pdDelta (numeric), or 0 for categorical features and flat curves (|pdDelta| < 0.005). */
  direction: -1 | 0 | 1;
}

const QUANTILES = [0.1, 0.3, 0.5, 0.7, 0.9];

function pearson(a: Float64Array, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) (ma += a[i] / n), (mb += b[i] / n);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Evidence for reading a driver: the direction the model learned for each feature (partial dependence)
 * and the direction in the raw data (correlation with the label). Where a learned direction runs
 * against business sense — fewer service errors going with more decline, say — the feature is an
 * indirect signal (it stands for something it correlates with), and this is what shows it. Deciding
 * which direction is "sense" is the caller's business; this only measures.
 *
 * `scores` (the model's probability per row) adds how each feature goes with the model's own
 * output over every row — no prediction needed. The partial dependence costs predictions (sample
 * rows × grid values per feature), so `partialDependence` can limit it to the features whose
 * learned direction is read.
 */
export function featureDirections(
  schema: readonly ColumnSpec[],
  X: Frame,
  y: ArrayLike<number>,
  predict: (X: Frame) => Float64Array,
  opts: { sampleRows?: number; seed?: number; scores?: ArrayLike<number>; partialDependence?: (feature: string) => boolean } = {},
): FeatureDirection[] {
  validateFrame(schema, X);
  if (y.length !== X.n) throw new Error(`y has ${y.length} labels, X has ${X.n} rows`);
  const scores = opts.scores;
  if (scores && scores.length !== X.n) throw new Error(`${scores.length} scores for ${X.n} rows`);
  const withPd = opts.partialDependence ?? (() => true);
  const rng = new Rng(opts.seed ?? 0);
  const take = Math.min(X.n, opts.sampleRows ?? 200);
  const sample = takeFrameRows(X, rng.shuffle(Uint32Array.from({ length: X.n }, (_, i) => i)).slice(0, take));
  const pdAt = (name: string, value: number | string): number => {
    const col = typeof value === 'number' ? new Float64Array(take).fill(value) : new Array<string>(take).fill(value);
    const p = predict(withColumn(sample, name, col));
    return p.reduce((a, b) => a + b, 0) / take;
  };
  return schema.map((spec): FeatureDirection => {
    if (spec.kind === 'categorical') {
      const col = X.columns[spec.name] as string[];
      const levels = [...new Set(col)].sort();
      const stats = levels.map((level) => {
        let rows = 0;
        let pos = 0;
        let score = 0;
        col.forEach((v, i) => v === level && (rows++, (pos += y[i]), scores && (score += scores[i])));
        return { value: level, rows, labelRate: pos / rows, meanScore: score / rows };
      });
      const curve = withPd(spec.name) ? stats.map(({ value, rows, labelRate }) => ({ value, meanProbability: pdAt(spec.name, value), labelRate, rows })) : [];
      const byLevel = scores ? { scoreCorrelation: 0, scoreByLevel: stats.map(({ value, rows, meanScore }) => ({ value, rows, meanScore })) } : {};
      return { feature: spec.name, kind: 'categorical', correlation: 0, ...byLevel, curve, pdDelta: 0, direction: 0 };
    }
    const col = X.columns[spec.name] as Float64Array;
    const associations = { correlation: pearson(col, y), ...(scores ? { scoreCorrelation: pearson(col, scores) } : {}) };
    if (!withPd(spec.name)) return { feature: spec.name, kind: 'numeric', ...associations, curve: [], pdDelta: 0, direction: 0 };
    const sorted = Float64Array.from(col).sort();
    // Features with few distinct values (error counts) repeat percentiles; each value is kept once.
    const grid = [...new Set(QUANTILES.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]))];
    // Label rate among the rows nearest each grid value: the raw data's own curve, for comparison.
    const curve = grid.map((value, g) => {
      const lo = g === 0 ? -Infinity : (grid[g - 1] + value) / 2;
      const hi = g === grid.length - 1 ? Infinity : (value + grid[g + 1]) / 2;
      let rows = 0;
      let pos = 0;
      col.forEach((v, i) => v > lo && v <= hi && (rows++, (pos += y[i])));
      return { value, meanProbability: pdAt(spec.name, value), labelRate: pos / rows, rows };
    });
    const pdDelta = curve[curve.length - 1].meanProbability - curve[0].meanProbability;
    const direction = Math.abs(pdDelta) < 0.005 ? 0 : pdDelta > 0 ? 1 : -1;
    return { feature: spec.name, kind: 'numeric', ...associations, curve, pdDelta, direction };
  });
}
