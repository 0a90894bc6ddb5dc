import type { Walk } from '../estimator.ts';
import type { Matrix } from '../types.ts';

/** Squared Euclidean distance from every row of `from` to every row of `to`, row-major (from.rows × to.rows). */
export function squaredDistances(from: Matrix, to: Matrix): Float64Array {
  const p = to.cols;
  const out = new Float64Array(from.rows * to.rows);
  for (let b = 0; b < from.rows; b++) {
    for (let j = 0; j < to.rows; j++) {
      let d = 0;
      for (let c = 0; c < p; c++) d += (from.data[b * p + c] - to.data[j * p + c]) ** 2;
      out[b * to.rows + j] = d;
    }
  }
  return out;
}

/** `M` column by column: a walk step reads one column of every row. */
export function byColumn(M: Matrix): Float64Array {
  const out = new Float64Array(M.rows * M.cols);
  for (let j = 0; j < M.rows; j++) for (let c = 0; c < M.cols; c++) out[c * M.rows + j] = M.data[j * M.cols + c];
  return out;
}

/**
 * Follows, along every walk (estimator.ts `Walk`), the squared distances from the current row to `n`
 * fixed rows (reference rows, support vectors): they start at the start row's (`startD`, from
 * `squaredDistances(starts, rows)`), and a step changes only the switched columns' terms, a few
 * operations per row instead of one per column. After each inner step `score` turns the distances and
 * the current row into that row's value; `first` marks a walk's first step.
 */
export function walkDistances(
  x: Float64Array,
  starts: Matrix,
  walks: readonly Walk[],
  n: number,
  columns: Float64Array,
  startD: Float64Array,
  score: (d2: Float64Array, z: Float64Array, first: boolean) => number,
): Float64Array {
  const p = starts.cols;
  const d2 = new Float64Array(n);
  const z = new Float64Array(p);
  const out = new Float64Array(walks.reduce((s, w) => s + Math.max(0, w.steps.length - 1), 0));
  let o = 0;
  for (const w of walks) {
    d2.set(startD.subarray(w.start * n, (w.start + 1) * n));
    z.set(starts.data.subarray(w.start * p, (w.start + 1) * p));
    for (let s = 0; s + 1 < w.steps.length; s++) {
      for (const c of w.steps[s]) {
        const xv = x[c];
        const zv = z[c];
        if (xv === zv) continue;
        // (x − r)² − (z − r)² = (x − z)(x + z − 2r)
        const dx = xv - zv;
        const sum = xv + zv;
        const at = c * n;
        for (let j = 0; j < n; j++) d2[j] += dx * (sum - 2 * columns[at + j]);
        z[c] = xv;
      }
      out[o++] = score(d2, z, s === 0);
    }
  }
  return out;
}
