import { describe, expect, it } from 'vitest';
import { SupportVectorClassifier } from '../../src/ml/families/svc/svc.ts';
import { parseLibsvmModel } from '../../src/ml/families/svc/libsvm-model.ts';
import { rocAuc } from '../../src/ml/metrics.ts';
import { normalRows } from './toy.ts';

/** Inside a noisy circle in the first two features: no linear boundary, an RBF kernel finds it. */
const rings = (n: number, seed: number) => normalRows(n, seed, ([a, b], rng) => a * a + b * b + 0.3 * rng.normal() < 1.4);

describe('SupportVectorClassifier', () => {
  const { X, y } = rings(240, 8);
  const test = rings(200, 9);

  it('the in-process SMO reproduces libsvm-js: same support vectors, ρ and decision values', () => {
    const ours = new SupportVectorClassifier({ C: 2, gamma: 0.5, plattFolds: 0 }).fit(X, y);
    const lib = new SupportVectorClassifier({ C: 2, gamma: 0.5, plattFolds: 0, solver: 'libsvm' }).fit(X, y);
    expect(ours.supportVectors).toBe(lib.supportVectors);
    const a = ours.decisionFunction(test.X);
    const b = lib.decisionFunction(test.X);
    // libsvm prints support vectors with 8 significant digits; both stop at the same ε = 1e-3.
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 3);
  });

  it('learns a non-linear boundary and orients probabilities toward class 1', () => {
    const m = new SupportVectorClassifier({ C: 2, gamma: 0.5 }).fit(X, y);
    expect(rocAuc(test.y, m.predictProba(test.X))).toBeGreaterThan(0.9);
  });

  it('serializes through libsvm’s own model text', () => {
    const m = new SupportVectorClassifier({ C: 2, gamma: 0.5, plattFolds: 0, solver: 'libsvm' }).fit(X, y);
    const text = (m.toJSON().state as { model: string }).model;
    expect(text.startsWith('svm_type c_svc\nkernel_type rbf')).toBe(true);
    const parsed = parseLibsvmModel(text, 3);
    expect(parsed.sv.rows).toBe(m.supportVectors);
    expect(() => parseLibsvmModel(text.replace('kernel_type rbf', 'kernel_type linear'), 3)).toThrow(/RBF/);
    expect(() => parseLibsvmModel('svm_type c_svc\n', 3)).toThrow(/SV section/);
  });
});
