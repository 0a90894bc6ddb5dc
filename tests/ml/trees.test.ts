import { describe, expect, it } from 'vitest';
import { binMatrix } from '../../src/ml/families/trees/binning.ts';
import { GradientBoosting } from '../../src/ml/families/trees/boosting.ts';
import { DecisionTree } from '../../src/ml/families/trees/decision-tree.ts';
import { RandomForest } from '../../src/ml/families/trees/forest.ts';
import { ExtraTrees } from '../../src/ml/families/trees/extra-trees.ts';
import { treeFromJSON } from '../../src/ml/families/trees/tree.ts';
import { fromRows } from '../../src/ml/matrix.ts';
import { Rng } from '../../src/ml/rng.ts';
import { rocAuc } from '../../src/ml/metrics.ts';

describe('binning', () => {
  it('puts x ≤ edge[b] exactly in bins ≤ b, and caps the bin count with quantiles', () => {
    const rng = new Rng(1);
    const X = fromRows(Array.from({ length: 500 }, () => [rng.normal(), Math.floor(rng.next() * 3)]));
    const B = binMatrix(X, 16);
    expect(B.edges[0].length).toBeLessThanOrEqual(15);
    expect(Array.from(B.edges[1])).toEqual([0.5, 1.5]);
    for (let i = 0; i < 500; i++) {
      const code = B.codes[i];
      const x = X.data[i * 2];
      if (code > 0) expect(x).toBeGreaterThan(B.edges[0][code - 1]);
      if (code < B.edges[0].length) expect(x).toBeLessThanOrEqual(B.edges[0][code]);
    }
  });
});

describe('trees', () => {
  const X = fromRows(Array.from({ length: 200 }, (_, i) => [i / 200, (i * 37) % 11]));
  const y = Uint8Array.from({ length: 200 }, (_, i) => (i / 200 > 0.62 ? 1 : 0));

  it('a decision tree finds a step threshold between the training values', () => {
    const t = new DecisionTree({ maxDepth: 1, minLeaf: 1, maxBins: 256 }).fit(X, y);
    const st = t.toJSON().state as { tree: { feature: number[]; threshold: number[] } };
    expect(st.tree.feature[0]).toBe(0);
    expect(st.tree.threshold[0]).toBeCloseTo((124 / 200 + 125 / 200) / 2, 12);
    expect(Array.from(t.predictProba(fromRows([[0.1, 0], [0.9, 0]])))).toEqual([0, 1]);
  });

  it('forest randomness comes from its seed only', () => {
    const a = new RandomForest({ trees: 10, seed: 1 }).fit(X, y).predictProba(X);
    const b = new RandomForest({ trees: 10, seed: 1 }).fit(X, y).predictProba(X);
    const c = new RandomForest({ trees: 10, seed: 2, maxFeatures: 0.5 }).fit(X, y).predictProba(X);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('boosting drives the training log-loss down on a learnable set', () => {
    const few = new GradientBoosting({ rounds: 5, subsample: 1 }).fit(X, y).predictProba(X);
    const many = new GradientBoosting({ rounds: 60, subsample: 1 }).fit(X, y).predictProba(X);
    const loss = (p: Float64Array) => p.reduce((s, v, i) => s - Math.log(y[i] ? v : 1 - v), 0);
    expect(loss(many)).toBeLessThan(loss(few) / 2);
  });

  it('rejects a serialized tree whose links could loop', () => {
    expect(() => treeFromJSON({ feature: [0, -1], threshold: [0, 0], left: [0, -1], right: [1, -1], value: [0, 0] }, 2)).toThrow(/link/);
  });
});

describe('extra trees', () => {
  const rng = new Rng(6);
  const X = fromRows(Array.from({ length: 300 }, () => [rng.normal(), rng.normal(), rng.next() < 0.5 ? 1 : 0]));
  const y = Uint8Array.from({ length: 300 }, (_, i) => (X.data[i * 3] + 0.5 * X.data[i * 3 + 2] + 0.8 * rng.normal() > 0 ? 1 : 0));
  const state = (m: ExtraTrees) => m.toJSON().state as { trees: { feature: number[]; threshold: number[]; left: number[]; value: number[] }[] };

  it('grown to one row per leaf, they reproduce the training labels of distinct rows', () => {
    const p = new ExtraTrees({ trees: 10, minLeaf: 1, seed: 1 }).fit(X, y).predictProba(X);
    p.forEach((v, i) => expect(v).toBeCloseTo(y[i], 12));
  });

  it('cut each node between two of its own values, with a short decimal', () => {
    for (const t of state(new ExtraTrees({ trees: 5, seed: 2 }).fit(X, y)).trees) {
      t.feature.forEach((f, n) => {
        if (f < 0) return;
        const v = t.threshold[n];
        expect(String(v).replace(/^-?0\./, '').length).toBeLessThan(12);
        // Some training value lies on each side of the cut.
        let below = 0;
        for (let i = 0; i < 300; i++) if (X.data[i * 3 + f] <= v) below++;
        expect(below).toBeGreaterThan(0);
        expect(below).toBeLessThan(300);
      });
    }
  });

  it('draw their randomness from the seed only, and grow on at most maxSamples rows per tree', () => {
    const grid = fromRows(Array.from({ length: 50 }, (_, i) => [i / 10 - 2.5, 0.3, i % 2]));
    const a = new ExtraTrees({ trees: 8, seed: 3 }).fit(X, y).predictProba(grid);
    expect(Array.from(new ExtraTrees({ trees: 8, seed: 3 }).fit(X, y).predictProba(grid))).toEqual(Array.from(a));
    expect(Array.from(new ExtraTrees({ trees: 8, seed: 4 }).fit(X, y).predictProba(grid))).not.toEqual(Array.from(a));
    const leaves = (m: ExtraTrees) => state(m).trees.reduce((s, t) => s + t.feature.filter((f) => f < 0).length, 0);
    expect(leaves(new ExtraTrees({ trees: 8, seed: 3, maxSamples: 60 }).fit(X, y))).toBeLessThanOrEqual(8 * 60);
  });

  it('rank a learnable signal on new rows', () => {
    const r2 = new Rng(7);
    const T = fromRows(Array.from({ length: 400 }, () => [r2.normal(), r2.normal(), r2.next() < 0.5 ? 1 : 0]));
    const yt = Uint8Array.from({ length: 400 }, (_, i) => (T.data[i * 3] + 0.5 * T.data[i * 3 + 2] + 0.8 * r2.normal() > 0 ? 1 : 0));
    const p = new ExtraTrees({ trees: 100, seed: 1 }).fit(X, y).predictProba(T);
    expect(rocAuc(yt, p)).toBeGreaterThan(0.75);
  });
});
