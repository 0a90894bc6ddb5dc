import { describe, expect, it } from 'vitest';
import { LogisticRegression, type Matrix } from '../../src/ml/index.ts';
import { normalRows } from './toy.ts';

/** A logistic law in the first two features; the third is irrelevant. */
const data = (n: number, seed: number) => normalRows(n, seed, ([a, b], rng) => rng.next() < 1 / (1 + Math.exp(-(0.5 + 2 * a - b))));

/** Gradient of Σ log-loss + ||w||²/(2C) at the fitted solution. */
function l2Gradient(m: LogisticRegression, X: Matrix, y: Uint8Array, C: number): number[] {
  const { coef, intercept } = m.linearTerms();
  const p = m.predictProba(X);
  const g = new Array(X.cols + 1).fill(0);
  for (let i = 0; i < X.rows; i++) {
    const r = p[i] - y[i];
    for (let j = 0; j < X.cols; j++) g[j] += r * X.data[i * X.cols + j];
    g[X.cols] += r;
  }
  for (let j = 0; j < X.cols; j++) g[j] += coef[j] / C;
  void intercept;
  return g;
}

describe('LogisticRegression', () => {
  const { X, y } = data(400, 5);

  it('L2 reaches the optimum of the penalized likelihood (zero gradient), intercept unpenalized', () => {
    const m = new LogisticRegression({ C: 0.5 }).fit(X, y);
    for (const g of l2Gradient(m, X, y, 0.5)) expect(Math.abs(g)).toBeLessThan(1e-6);
    const { coef, intercept } = m.linearTerms();
    expect(coef[0]).toBeGreaterThan(1);
    expect(coef[1]).toBeLessThan(-0.4);
    expect(intercept).toBeGreaterThan(0.1);
  });

  it('L1 satisfies the lasso optimality conditions and zeroes the irrelevant feature at strong penalty', () => {
    const C = 0.02;
    const m = new LogisticRegression({ C, penalty: 'l1' }).fit(X, y);
    const { coef } = m.linearTerms();
    const p = m.predictProba(X);
    for (let j = 0; j < 3; j++) {
      let g = 0;
      for (let i = 0; i < X.rows; i++) g += (p[i] - y[i]) * X.data[i * 3 + j];
      if (coef[j] === 0) expect(Math.abs(g)).toBeLessThanOrEqual(1 / C + 1e-4);
      else expect(g + Math.sign(coef[j]) / C).toBeCloseTo(0, 3);
    }
    expect(coef[2]).toBe(0);
  });

  it('shrinks toward zero as C falls', () => {
    const loose = new LogisticRegression({ C: 10 }).fit(X, y).linearTerms().coef[0];
    const tight = new LogisticRegression({ C: 0.001 }).fit(X, y).linearTerms().coef[0];
    expect(Math.abs(tight)).toBeLessThan(Math.abs(loose) / 5);
  });
});
