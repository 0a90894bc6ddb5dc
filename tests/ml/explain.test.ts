import { describe, expect, it } from 'vitest';
import { matchTotal, sampledShapley } from '../../src/ml/explain.ts';
import { fromRows } from '../../src/ml/matrix.ts';
import type { Matrix } from '../../src/ml/index.ts';

describe('sampledShapley', () => {
  // Additive model over three raw features, the second encoded as two columns.
  const f = (M: Matrix) => Float64Array.from({ length: M.rows }, (_, i) => 0.1 * M.data[i * 4] + 0.2 * M.data[i * 4 + 1] - 0.3 * M.data[i * 4 + 2] + 0.05 * M.data[i * 4 + 3]);
  const groups = [0, 1, 1, 2];
  const background = fromRows([[0, 1, 0, 0], [1, 0, 1, 2], [2, 0, 0, 4]]);

  it('is exact for an additive model: each feature gets its own term minus its background mean', () => {
    const x = Float64Array.from([3, 0, 1, 1]);
    const phi = sampledShapley(f, x, background, groups, 3, 6, 1);
    expect(phi[0]).toBeCloseTo(0.1 * (3 - 1), 12);
    expect(phi[1]).toBeCloseTo(0.2 * (0 - 1 / 3) - 0.3 * (1 - 1 / 3), 12);
    expect(phi[2]).toBeCloseTo(0.05 * (1 - 2), 12);
  });

  it('sums to f(x) minus the mean prediction of the background rows used', () => {
    const g = (M: Matrix) => f(M).map((v) => 1 / (1 + Math.exp(-v * v * 3)));
    const x = Float64Array.from([1, 1, 0, 3]);
    const phi = sampledShapley(g, x, background, groups, 3, 6, 7);
    const fx = g({ rows: 1, cols: 4, data: x })[0];
    const base = Array.from(g(background)).reduce((a, b) => a + b, 0) / 3;
    expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(fx - base, 12);
  });
});

describe('matchTotal', () => {
  it('spreads the gap in proportion to |φ|, keeping signs and zeros', () => {
    const out = matchTotal(Float64Array.from([0.2, -0.1, 0]), 0.13);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(0.13, 12);
    expect(out[0]).toBeCloseTo(0.2 + 0.03 * (2 / 3), 12);
    expect(out[1]).toBeCloseTo(-0.1 + 0.03 * (1 / 3), 12);
    expect(out[2]).toBe(0);
  });
});
