/**
 * The reported quality must be what a customer the model never saw would get. Each test builds data
 * where a known shortcut would show up as skill, checks that the shortcut really pays when taken (so
 * the test can fail), and checks that the reported number does not take it.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFamilies, type ColumnSpec, type Estimator, type EstimatorJSON, type Frame, type Matrix } from '../../src/ml/index.ts';
import { registerFamily } from '../../src/ml/catalog.ts';
import { ExtraTrees } from '../../src/ml/families/trees/extra-trees.ts';
import { Rng, deriveSeed } from '../../src/ml/rng.ts';

const SCHEMA: ColumnSpec[] = [
  { name: 'a', kind: 'numeric' },
  { name: 'b', kind: 'numeric' },
  { name: 'c', kind: 'numeric' },
];

/** Features and labels drawn independently: nothing here can be learned. */
function noise(n: number, seed: number): { X: Frame; y: Uint8Array } {
  const rng = new Rng(seed);
  const cols = SCHEMA.map(() => new Float64Array(n));
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of cols) c[i] = rng.normal();
    y[i] = rng.next() < 0.4 ? 1 : 0;
  }
  return { X: { n, columns: Object.fromEntries(SCHEMA.map((s, k) => [s.name, cols[k]])) }, y };
}

/**
 * Scores every row with noise that depends on its seed, the rows it was fitted on and the row itself:
 * each candidate of a grid of seeds is an independent coin, re-tossed whenever the training rows change.
 */
class CoinEstimator implements Estimator<Matrix> {
  readonly kind = 'coin';
  private fitted: number | null = null;
  constructor(readonly params: { seed: number }) {}
  clone(params: Partial<{ seed: number }> = {}): CoinEstimator {
    return new CoinEstimator({ ...this.params, ...params });
  }
  fit(X: Matrix, y: Uint8Array): this {
    let h = X.rows;
    for (let i = 0; i < y.length; i++) h = deriveSeed(h, y[i], Math.round(X.data[i * X.cols] * 1e6));
    this.fitted = h;
    return this;
  }
  predictProba(X: Matrix): Float64Array {
    if (this.fitted === null) throw new Error('coin: not fitted');
    return Float64Array.from({ length: X.rows }, (_, i) => new Rng(deriveSeed(this.params.seed, this.fitted!, Math.round(X.data[i * X.cols] * 1e6))).next());
  }
  toJSON(): EstimatorJSON {
    return { kind: this.kind, params: { ...this.params }, state: this.fitted };
  }
}

registerFamily({ name: 'coin', make: (p) => new CoinEstimator(p as { seed: number }), grid: () => Array.from({ length: 40 }, (_, seed) => ({ seed })) });
// Fully grown trees put an exact twin in its copy's leaf: a memoriser, small enough for a quick test.
registerFamily({ name: 'memo', make: () => new ExtraTrees({ trees: 15, maxFeatures: 0.7, minLeaf: 1 }), grid: () => [{}] });

describe('reported quality', () => {
  it('comes from nested CV, not from the splits the candidates were chosen on', () => {
    const { X, y } = noise(600, 1);
    const ev = evaluateFamilies(SCHEMA, X, y, { seed: 2, families: ['coin'], folds: 3, nestedFolds: 3, nestedRepeats: 4 });
    expect(ev.assessment).toBe('nested');
    // The best of 40 coins looks skilled on the splits it was picked on…
    expect(ev.selectionAuc).toBeGreaterThan(0.54);
    // …and is a coin on rows that took no part in the choice.
    expect(Math.abs(ev.cvAuc - 0.5)).toBeLessThan(0.03);
    expect(ev.nested!.aucs).toHaveLength(12);
  });

  it('keeps exact twins on one side of every split, in the search and in nested CV', () => {
    // Every customer appears twice with the same label; the labels are noise.
    const base = noise(150, 3);
    const twice = Uint32Array.from({ length: 300 }, (_, i) => i >> 1);
    const X: Frame = { n: 300, columns: Object.fromEntries(SCHEMA.map((s) => [s.name, Float64Array.from(twice, (i) => (base.X.columns[s.name] as Float64Array)[i])])) };
    const y = Uint8Array.from(twice, (i) => base.y[i]);
    const opts = { seed: 4, families: ['memo'], folds: 3, nestedFolds: 3 };
    // Split apart, a twin hands the memoriser its copy's label…
    expect(evaluateFamilies(SCHEMA, X, y, { ...opts, groupDuplicates: false }).selectionAuc).toBeGreaterThan(0.7);
    // …kept together, there is nothing to learn, and that is what is reported.
    const ev = evaluateFamilies(SCHEMA, X, y, opts);
    expect(ev.selectionAuc).toBeLessThan(0.6);
    expect(ev.cvAuc).toBeLessThan(0.6);
  });
});
