import { describe, expect, it } from 'vitest';
import { Pipeline, estimatorFromJSON, rocAuc, type Estimator, type Frame, type Matrix } from '../../src/ml/index.ts';
import { SoftVotingEnsemble } from '../../src/ml/families/ensemble.ts';
import { KNearestNeighbors } from '../../src/ml/families/knn.ts';
import { LogisticRegression } from '../../src/ml/families/logistic.ts';
import { SupportVectorClassifier } from '../../src/ml/families/svc/svc.ts';
import { GradientBoosting } from '../../src/ml/families/trees/boosting.ts';
import { DecisionTree } from '../../src/ml/families/trees/decision-tree.ts';
import { RandomForest } from '../../src/ml/families/trees/forest.ts';
import { ExtraTrees } from '../../src/ml/families/trees/extra-trees.ts';
import { TOY_SCHEMA, toyData } from './toy.ts';

/** Every estimator the search can produce, with parameters small enough for a quick suite. */
const CASES: [string, () => Estimator<Matrix>][] = [
  ['logistic l2', () => new LogisticRegression({ C: 0.5 })],
  ['logistic l1', () => new LogisticRegression({ C: 0.5, penalty: 'l1' })],
  ['knn distance', () => new KNearestNeighbors({ k: 15 })],
  ['knn uniform', () => new KNearestNeighbors({ k: 15, weights: 'uniform' })],
  ['svc smo', () => new SupportVectorClassifier({ C: 1, gamma: 0.1, seed: 3 })],
  ['svc libsvm', () => new SupportVectorClassifier({ C: 1, gamma: 0.1, solver: 'libsvm', plattFolds: 0 })],
  ['tree', () => new DecisionTree({ maxDepth: 4 })],
  ['forest', () => new RandomForest({ trees: 15, seed: 5 })],
  ['boosting', () => new GradientBoosting({ rounds: 30, seed: 5 })],
  ['extra trees', () => new ExtraTrees({ trees: 30, seed: 5 })],
  ['extra trees, row cap', () => new ExtraTrees({ trees: 30, maxSamples: 100, seed: 5 })],
  ['ensemble', () => new SoftVotingEnsemble([new LogisticRegression(), new KNearestNeighbors({ k: 15 })])],
  ['weighted ensemble', () => new SoftVotingEnsemble([new ExtraTrees({ trees: 20 }), new KNearestNeighbors({ k: 15 })], [2, 1])],
];

const train = toyData(300, 21);
const test = toyData(200, 22);

function snapshot(X: Frame, y: Uint8Array): string {
  return JSON.stringify({ n: X.n, cols: Object.entries(X.columns).map(([k, v]) => [k, Array.from(v as ArrayLike<unknown>)]), y: Array.from(y) });
}

describe.each(CASES)('estimator contract: %s', (_name, make) => {
  const fitted = new Pipeline(TOY_SCHEMA, make()).fit(train.X, train.y);
  const p = fitted.predictProba(test.X);

  it('constructing does not train: predicting before fit throws', () => {
    expect(() => make().predictProba({ rows: 1, cols: 9, data: new Float64Array(9) })).toThrow();
  });

  it('gives finite probabilities in [0, 1], better than chance on a learnable set', () => {
    expect(p.length).toBe(test.X.n);
    expect(p.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    expect(rocAuc(test.y, p)).toBeGreaterThan(0.7);
  });

  it('is deterministic seed for seed', () => {
    const again = new Pipeline(TOY_SCHEMA, make()).fit(train.X, train.y).predictProba(test.X);
    expect(Array.from(again)).toEqual(Array.from(p));
  });

  it('does not mutate its inputs', () => {
    const X = toyData(120, 4);
    const before = snapshot(X.X, X.y);
    const pipe = new Pipeline(TOY_SCHEMA, make()).fit(X.X, X.y);
    pipe.predictProba(X.X);
    expect(snapshot(X.X, X.y)).toBe(before);
    const M = pipe.transform(X.X);
    const copy = M.data.slice();
    make().fit(M, X.y).predictProba(M);
    expect(Array.from(M.data)).toEqual(Array.from(copy));
  });

  it('round-trips through JSON text with identical probabilities and no retraining', () => {
    const restored = Pipeline.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    expect(Array.from(restored.predictProba(test.X))).toEqual(Array.from(p));
    const inner = estimatorFromJSON(JSON.parse(JSON.stringify(fitted.estimator.toJSON())));
    expect(inner.kind).toBe(fitted.estimator.kind);
  });

  it('clone keeps params, applies overrides and is unfitted', () => {
    const e = make();
    const c = e.clone();
    expect(c.params).toEqual(e.params);
    expect(c).not.toBe(e);
    expect(() => c.predictProba({ rows: 1, cols: 9, data: new Float64Array(9) })).toThrow();
  });
});
