import { describe, expect, it } from 'vitest';
import { KNearestNeighbors } from '../../src/ml/families/knn.ts';
import { fromRows } from '../../src/ml/matrix.ts';

const X = fromRows([[0], [1], [3], [6], [10]]);
const y = Uint8Array.from([1, 0, 1, 0, 0]);

describe('KNearestNeighbors', () => {
  it('uniform weights give the vote fraction of the k nearest', () => {
    const m = new KNearestNeighbors({ k: 3, weights: 'uniform' }).fit(X, y);
    // Query 2: nearest are 1 (d=1), 3 (d=1), 0 (d=2) → labels 0, 1, 1.
    expect(m.predictProba(fromRows([[2]]))[0]).toBeCloseTo(2 / 3, 12);
  });

  it('distance weights are 1/d, as in scikit-learn', () => {
    const m = new KNearestNeighbors({ k: 3, weights: 'distance' }).fit(X, y);
    // Query 2.5: neighbours 3 (d .5, y1), 1 (d 1.5, y0), 0 (d 2.5, y1).
    const w = [2, 1 / 1.5, 1 / 2.5];
    expect(m.predictProba(fromRows([[2.5]]))[0]).toBeCloseTo((w[0] + w[2]) / (w[0] + w[1] + w[2]), 12);
  });

  it('skips a reference row at distance 0, so training rows get leave-one-out probabilities', () => {
    const m = new KNearestNeighbors({ k: 2, weights: 'uniform' }).fit(X, y);
    // Row 1 (label 0) is skipped; its nearest others are 0 and 3, both labelled 1.
    expect(m.predictProba(fromRows([[1]]))[0]).toBe(1);
    const all = new KNearestNeighbors({ k: 3 }).fit(X, y).predictProba(X);
    expect(Array.from(all).some((p, i) => p !== y[i])).toBe(true);
  });

  it('caps the reference set with a stratified sample', () => {
    const big = fromRows(Array.from({ length: 500 }, (_, i) => [i]));
    const yb = Uint8Array.from({ length: 500 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const m = new KNearestNeighbors({ k: 5, maxReference: 100 }).fit(big, yb);
    const state = m.toJSON().state as { labels: number[] };
    expect(state.labels.length).toBe(100);
    expect(state.labels.filter((v) => v === 1).length).toBe(25);
  });
});

describe('KNearestNeighbors exactMatch: vote (scikit-learn semantics, for comparisons)', () => {
  it('lets an exact match take all the weight', () => {
    const m = new KNearestNeighbors({ k: 3, exactMatch: 'vote' }).fit(X, y);
    expect(m.predictProba(fromRows([[3]]))[0]).toBe(1);
    expect(m.predictProba(fromRows([[1]]))[0]).toBe(0);
  });
});
