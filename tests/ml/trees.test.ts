import { describe, expect, it } from 'vitest';
import { binMatrix } from '../../src/ml/families/trees/binning.ts';
import { GradientBoosting } from '../../src/ml/families/trees/boosting.ts';
import { DecisionTree } from '../../src/ml/families/trees/decision-tree.ts';
import { RandomForest } from '../../src/ml/families/trees/forest.ts';
import { treeFromJSON } from '../../src/ml/families/trees/tree.ts';
import { fromRows } from '../../src/ml/matrix.ts';
import { Rng } from '../../src/ml/rng.ts';

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
