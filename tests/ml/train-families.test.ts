import { describe, expect, it } from 'vitest';
import { evaluateFamilies, loadModel, rocAuc, trainBest } from '../../src/ml/index.ts';
import { TrainedModel } from '../../src/ml/model.ts';
import { TOY_SCHEMA, toyData } from './toy.ts';

const { X, y } = toyData(360, 12);
const opts = { seed: 3, folds: 3, repeats: 2, families: ['logistic', 'knn', 'tree', 'boosting', 'ensemble'] };

describe('trainBest across families', () => {
  const { model, report, outOfFold } = trainBest(TOY_SCHEMA, X, y, opts);

  it('is deterministic for a seed, family choice and ensemble members included', () => {
    const again = trainBest(TOY_SCHEMA, X, y, opts);
    expect(again.report.families).toEqual(report.families.map((f) => ({ ...f, searchMs: again.report.families.find((g) => g.family === f.family)!.searchMs })));
    expect(Array.from(again.model.predictProba(X))).toEqual(Array.from(model.predictProba(X)));
  });

  it('returns honest out-of-fold scores for the training rows', () => {
    expect(outOfFold).not.toBeNull();
    expect(outOfFold!.length).toBe(X.n);
    expect(Math.abs(rocAuc(y, outOfFold!) - report.cvAuc)).toBeLessThan(0.05);
  });

  it('reports every family and picks the best cross-validated one', () => {
    expect(report.families.map((f) => f.family)).toEqual(['logistic', 'knn', 'tree', 'boosting', 'ensemble']);
    const best = Math.max(...report.families.map((f) => f.cvAucMean));
    expect(report.cvAuc).toBe(best);
    expect(report.families.find((f) => f.family === report.chosen)!.cvAucMean).toBe(best);
    expect(model.family).toBe(report.chosen);
    const ens = report.families.find((f) => f.family === 'ensemble')!;
    expect((ens.params.members as unknown[]).length).toBeGreaterThanOrEqual(2);
  });

  it('explains any family with contributions summing to p − base rate', () => {
    const m = model as TrainedModel;
    const p = m.predictProba(X);
    for (const row of [0, 5, 17]) {
      const c = m.explain(X, row);
      expect(c.reduce((s, d) => s + d.contribution, 0)).toBeCloseTo(p[row] - m.baseRate, 10);
    }
  });

  it('round-trips the chosen model, explanations included', () => {
    const restored = loadModel(JSON.stringify(model.toJSON()));
    expect(Array.from(restored.predictProba(X))).toEqual(Array.from(model.predictProba(X)));
    expect(restored.explain(X, 9)).toEqual(model.explain(X, 9));
  });

  it('evaluateFamilies reports the same search without training a model', () => {
    const ev = evaluateFamilies(TOY_SCHEMA, X, y, opts);
    expect(ev.chosen).toBe(report.chosen);
    expect(ev.families.map((f) => f.cvAucMean)).toEqual(report.families.map((f) => f.cvAucMean));
    expect(ev.timings.search).toBeGreaterThan(0);
  });

  it('searches a stratified sample of large inputs and still refits on all rows', () => {
    const big = toyData(900, 13);
    const r = trainBest(TOY_SCHEMA, big.X, big.y, { seed: 1, folds: 3, repeats: 1, families: ['logistic'], searchRows: 300 });
    expect(r.report.rows).toBe(900);
    expect(r.outOfFold).toBeNull();
    expect(r.report.reliability.reduce((s, b) => s + b.count, 0)).toBe(300);
  });

  it('rejects an unknown family and one-class labels clearly', () => {
    expect(() => trainBest(TOY_SCHEMA, X, y, { families: ['nope'] })).toThrow(/unknown model family "nope"/);
    expect(() => trainBest(TOY_SCHEMA, X, new Uint8Array(X.n))).toThrow(/both classes/);
  });
});
