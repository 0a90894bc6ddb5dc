import type { Matrix } from '../../types.ts';

/**
 * Matrix quantised to at most `maxBins` ordered bins per column, column-major so that a histogram pass
 * over one feature reads contiguous memory. `edges[f][b]` separates bin b from b+1 and lies midway
 * between two training values, so `x ≤ edges[f][b]` on raw data reproduces the binned split exactly.
 */
export interface Binned {
  rows: number;
  cols: number;
  codes: Uint8Array;
  edges: Float64Array[];
}

export function binMatrix(X: Matrix, maxBins: number): Binned {
  if (maxBins < 2 || maxBins > 256) throw new Error(`maxBins must be in 2..256, got ${maxBins}`);
  const { rows, cols, data } = X;
  const codes = new Uint8Array(rows * cols);
  const edges: Float64Array[] = [];
  const col = new Float64Array(rows);
  for (let f = 0; f < cols; f++) {
    for (let i = 0; i < rows; i++) col[i] = data[i * cols + f];
    const sorted = col.slice().sort();
    const distinct: number[] = [];
    for (let i = 0; i < rows; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    const e: number[] = [];
    if (distinct.length <= maxBins) {
      for (let k = 0; k + 1 < distinct.length; k++) e.push((distinct[k] + distinct[k + 1]) / 2);
    } else {
      // Quantile cut points; each edge sits between a cut value and the next larger distinct value.
      let last = -Infinity;
      for (let q = 1; q < maxBins; q++) {
        const v = sorted[Math.floor((q * rows) / maxBins)];
        if (v <= last) continue;
        const next = upperDistinct(distinct, v);
        if (next === undefined) break;
        e.push((v + next) / 2);
        last = v;
      }
    }
    const fe = Float64Array.from(e);
    edges.push(fe);
    for (let i = 0; i < rows; i++) codes[f * rows + i] = binOf(fe, col[i]);
  }
  return { rows, cols, codes, edges };
}

function upperDistinct(distinct: number[], v: number): number | undefined {
  let lo = 0;
  let hi = distinct.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (distinct[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return distinct[lo];
}

/** Number of edges strictly below x. */
function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
