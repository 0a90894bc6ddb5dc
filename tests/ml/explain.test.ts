import { describe, expect, it } from 'vitest';
import { backgroundMean, interventionalShapley, stratifiedBackground, type Background } from '../../src/ml/explain.ts';
import { scoreWalks, type Estimator, type Walk } from '../../src/ml/estimator.ts';
import { fromRows, row, takeRows } from '../../src/ml/matrix.ts';
import { Rng } from '../../src/ml/rng.ts';
import { Pipeline, TabularPreprocessor, type Matrix } from '../../src/ml/index.ts';
import { SoftVotingEnsemble } from '../../src/ml/families/ensemble.ts';
import { KNearestNeighbors } from '../../src/ml/families/knn.ts';
import { LogisticRegression } from '../../src/ml/families/logistic.ts';
import { SupportVectorClassifier } from '../../src/ml/families/svc/svc.ts';
import { ExtraTrees } from '../../src/ml/families/trees/extra-trees.ts';
import { PlattCalibrator } from '../../src/ml/calibration.ts';
import { TrainedModel } from '../../src/ml/model.ts';
import { TOY_SCHEMA, toyData } from './toy.ts';

type F = (M: Matrix) => Float64Array;

/**
 * Interventional Shapley values by definition: every coalition S of raw features, valued as the
 * weighted background mean of f with S's columns taken from x, weighted |S|!(n−|S|−1)!/n!.
 */
function exactShapley(f: F, x: Float64Array, bg: Background, groups: readonly number[], n: number): Float64Array {
  const value = (mask: number): number => {
    const M = fromRows(Array.from({ length: bg.weights.length }, (_, b) => Array.from(row(bg.rows, b), (v, j) => (mask & (1 << groups[j]) ? x[j] : v))));
    return backgroundMean(bg, f(M));
  };
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let S = 0; S < 1 << n; S++) {
      if (S & (1 << j)) continue;
      let size = 0;
      for (let t = 0; t < n; t++) if (S & (1 << t)) size++;
      phi[j] += ((fact(size) * fact(n - size - 1)) / fact(n)) * (value(S | (1 << j)) - value(S));
    }
  }
  return phi;
}

// Non-additive in every feature: an interaction inside a sigmoid, raw feature 1 encoded as two columns.
const groups4 = [0, 1, 1, 2, 3];
const f4: F = (M) =>
  Float64Array.from({ length: M.rows }, (_, i) => {
    const r = row(M, i);
    return 1 / (1 + Math.exp(-(r[0] * r[1] - 0.7 * r[2] + r[3] * r[4] + 0.4 * r[0])));
  });
const bg4: Background = {
  rows: fromRows([
    [0, 1, 0, 1, 2],
    [1, 0, 1, -1, 0],
    [2, 0, 0, 0.5, 1],
    [-1, 1, 0, 2, -1],
  ]),
  weights: Float64Array.from([0.1, 0.4, 0.3, 0.2]),
};
const x4 = Float64Array.from([1.5, 0, 1, -0.5, 1]);
const byWalk = (f: F, x: Float64Array, starts: Matrix) => (walks: readonly Walk[]) => scoreWalks({ predictProba: f } as Estimator<Matrix>, x, starts, walks);

describe('interventionalShapley', () => {
  it('equals the exact values for two features, where one antithetic pair of orders covers both', () => {
    const groups = [0, 0, 1];
    const f: F = (M) => Float64Array.from({ length: M.rows }, (_, i) => Math.tanh(M.data[i * 3] * M.data[i * 3 + 2] - M.data[i * 3 + 1]));
    const bg: Background = { rows: fromRows([[1, 0, 2], [0, 1, -1], [1, 0, 0.5]]), weights: Float64Array.from([0.5, 0.25, 0.25]) };
    const x = Float64Array.from([0, 1, 3]);
    const fx = f(fromRows([Array.from(x)]))[0];
    const phi = interventionalShapley(byWalk(f, x, bg.rows), x, fx, bg, f(bg.rows), groups, 2, 2, 5);
    const exact = exactShapley(f, x, bg, groups, 2);
    expect(phi[0]).toBeCloseTo(exact[0], 12);
    expect(phi[1]).toBeCloseTo(exact[1], 12);
  });

  it('sums to f(x) minus the weighted mean prediction over the background, with no rescaling', () => {
    const fx = f4(fromRows([Array.from(x4)]))[0];
    const base = bg4.weights.reduce((s, w, b) => s + w * f4(takeRows(bg4.rows, [b]))[0], 0);
    for (const seed of [1, 2, 3]) {
      const phi = interventionalShapley(byWalk(f4, x4, bg4.rows), x4, fx, bg4, f4(bg4.rows), groups4, 4, 2, seed);
      expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(fx - base, 12);
    }
  });

  it('is unbiased: averaged over seeds it converges to the exact values (a rescaled estimate would not)', () => {
    const fx = f4(fromRows([Array.from(x4)]))[0];
    const exact = exactShapley(f4, x4, bg4, groups4, 4);
    const mean = new Float64Array(4);
    const runs = 400;
    for (let s = 0; s < runs; s++) {
      const phi = interventionalShapley(byWalk(f4, x4, bg4.rows), x4, fx, bg4, f4(bg4.rows), groups4, 4, 1, s);
      phi.forEach((v, j) => (mean[j] += v / runs));
    }
    for (let j = 0; j < 4; j++) expect(Math.abs(mean[j] - exact[j])).toBeLessThan(0.004);
    // The single estimates do scatter, so the agreement above is the averaging, not a degenerate case.
    const one = interventionalShapley(byWalk(f4, x4, bg4.rows), x4, fx, bg4, f4(bg4.rows), groups4, 4, 1, 0);
    expect(Math.max(...one.map((v, j) => Math.abs(v - exact[j])))).toBeGreaterThan(0.004);
  });

  it('gives a feature the model ignores exactly zero', () => {
    const f: F = (M) => Float64Array.from({ length: M.rows }, (_, i) => 1 / (1 + Math.exp(-M.data[i * 5] * M.data[i * 5 + 4])));
    const fx = f(fromRows([Array.from(x4)]))[0];
    const phi = interventionalShapley(byWalk(f, x4, bg4.rows), x4, fx, bg4, f(bg4.rows), groups4, 4, 2, 9);
    expect(phi[1]).toBe(0);
    expect(phi[2]).toBe(0);
  });
});

describe('stratifiedBackground', () => {
  it('draws one row per prediction stratum, weighted by its share, so the base is the mean prediction', () => {
    const rng = new Rng(4);
    const M = fromRows(Array.from({ length: 1001 }, () => [rng.normal(), rng.normal()]));
    const pred = Float64Array.from({ length: M.rows }, (_, i) => 1 / (1 + Math.exp(-2 * M.data[i * 2] - M.data[i * 2 + 1])));
    const bg = stratifiedBackground(M, pred, 32, 7);
    expect(bg.rows.rows).toBe(32);
    expect(bg.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const picked = Float64Array.from({ length: 32 }, (_, b) => 1 / (1 + Math.exp(-2 * bg.rows.data[b * 2] - bg.rows.data[b * 2 + 1])));
    const all = pred.reduce((a, b) => a + b, 0) / pred.length;
    expect(Math.abs(backgroundMean(bg, picked) - all)).toBeLessThan(0.01);
    // Stratum b holds the b-th 32nd of the rows by prediction.
    const sorted = Float64Array.from(pred).sort();
    for (let b = 0; b < 32; b++) {
      expect(picked[b]).toBeGreaterThanOrEqual(sorted[Math.floor((b * 1001) / 32)]);
      expect(picked[b]).toBeLessThanOrEqual(sorted[Math.floor(((b + 1) * 1001) / 32) - 1]);
    }
  });
});

describe('walk scoring', () => {
  const { X, y } = toyData(300, 3);
  const prep = new TabularPreprocessor(TOY_SCHEMA).fit(X);
  const M = prep.transform(X);
  const colsOf: number[][] = TOY_SCHEMA.map(() => []);
  prep.groups.forEach((f, j) => colsOf[f].push(j));
  const starts = takeRows(M, [0, 5, 9]);
  const x = row(M, 30).slice();
  const walks: Walk[] = [0, 1, 2].flatMap((b) => [
    { start: b, steps: [2, 0, 4, 1, 3].map((f) => colsOf[f]) },
    { start: b, steps: [3, 1, 4, 0, 2].map((f) => colsOf[f]) },
  ]);
  const cases: [string, Estimator<Matrix>][] = [
    ['knn', new KNearestNeighbors({ k: 15 })],
    ['knn, exact twins vote', new KNearestNeighbors({ k: 15, exactMatch: 'vote' })],
    ['extra trees', new ExtraTrees({ trees: 40 })],
    ['svc', new SupportVectorClassifier({ C: 1, gamma: 0.1 })],
    ['logistic (no capability: rows are built)', new LogisticRegression()],
    ['ensemble', new SoftVotingEnsemble([new KNearestNeighbors({ k: 15 }), new ExtraTrees({ trees: 20 })], [2, 1])],
  ];

  it.each(cases)('%s: incremental walk scores equal predictProba of the same rows', (_name, e) => {
    e.fit(M, y);
    const plain = { predictProba: (m: Matrix) => e.predictProba(m) } as Estimator<Matrix>;
    const fast = scoreWalks(e, x, starts, walks);
    const slow = scoreWalks(plain, x, starts, walks);
    expect(fast.length).toBe(3 * 2 * 4);
    for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(slow[i], 12);
  });

  it('knn: a walk row that is an exact twin of a reference row skips it as predictProba does', () => {
    const ref = fromRows([[0, 0], [1, 1], [1, 0], [3, 3], [0, 2]]);
    const labels = Uint8Array.from([0, 1, 1, 0, 1]);
    const knn = new KNearestNeighbors({ k: 2, weights: 'uniform' }).fit(ref, labels);
    // From [0, 0] to [1, 1], column 0 first: the inner row [1, 0] is reference row 2 itself.
    const walk = scoreWalks(knn, Float64Array.from([1, 1]), takeRows(ref, [0]), [{ start: 0, steps: [[0], [1]] }]);
    expect(walk[0]).toBe(knn.predictProba(fromRows([[1, 0]]))[0]);
  });
});

describe('TrainedModel explanations', () => {
  // Two raw features, one of them one-hot: an antithetic pair then covers both orders, so the explanation is exact.
  const schema = [TOY_SCHEMA[1], TOY_SCHEMA[0]];
  const { X, y } = toyData(240, 8);
  const pipe = new Pipeline(schema, new KNearestNeighbors({ k: 20 })).fit(X, y);
  const cal = new PlattCalibrator().fit(pipe.predictProba(X), y);
  const model = TrainedModel.withBackground(pipe, cal, X, { size: 6, orders: 2, seed: 3 });

  it('match exact interventional Shapley values of the calibrated model, and sum to p − base', () => {
    const f: F = (M) => model.predictEncoded(M);
    const p = model.predictProba(X);
    for (const r of [0, 7, 100]) {
      const e = model.explanation(X, r);
      expect(e.probability).toBe(p[r]);
      const exact = exactShapley(f, row(pipe.transform(X), r).slice(), model.explainer.background, pipe.preprocessor.groups, 2);
      for (const c of e.contributions) expect(c.contribution).toBeCloseTo(exact[schema.findIndex((s) => s.name === c.feature)], 9);
      expect(e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(e.probability - e.base, 12);
    }
  });

  it('measure against the mean prediction over the reference customers, not the average customer', () => {
    const bg = model.explainer.background;
    expect(model.base).toBeCloseTo(backgroundMean(bg, model.predictEncoded(bg.rows)), 12);
    const p = model.predictProba(X);
    expect(Math.abs(model.base - p.reduce((a, b) => a + b, 0) / p.length)).toBeLessThan(0.02);
  });
});
