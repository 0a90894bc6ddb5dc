import { describe, expect, it } from 'vitest';
import { evaluateFamilies, loadModel, rocAuc, trainBest } from '../../src/ml/index.ts';
import { TOY_SCHEMA, toyData } from './toy.ts';

const { X, y } = toyData(360, 12);
const opts = { seed: 3, folds: 3, nestedFolds: 3, families: ['logistic', 'knn', 'extra', 'ensemble'] };

describe('trainBest across families', () => {
  const { model, report, outOfFold, explainTraining } = trainBest(TOY_SCHEMA, X, y, opts);

  it('is deterministic for a seed, family choice and ensemble members included', () => {
    const again = trainBest(TOY_SCHEMA, X, y, opts);
    expect(again.report.families.map(({ searchMs: _, ...f }) => f)).toEqual(report.families.map(({ searchMs: _, ...f }) => f));
    expect(again.report.nested).toEqual(report.nested);
    expect(Array.from(again.model.predictProba(X))).toEqual(Array.from(model.predictProba(X)));
  });

  it('reports every family and picks the best-scoring soft vote of the strongest', () => {
    expect(report.families.map((f) => f.family)).toEqual(['logistic', 'knn', 'extra', 'ensemble']);
    expect(report.chosen).toBe('ensemble');
    expect(model.family).toBe('ensemble');
    const ens = report.families.find((f) => f.family === 'ensemble')!;
    expect(report.selectionAuc).toBe(ens.cvAucMean);
    expect((ens.params.members as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(report.assessment).toBe('nested');
    expect(report.cvAuc).toBeCloseTo(report.nested!.aucs.reduce((a, b) => a + b, 0) / 3, 12);
  });

  it('scores the training rows out of fold, as well as the search measured', () => {
    expect(outOfFold).not.toBeNull();
    expect(outOfFold!.length).toBe(X.n);
    expect(Math.abs(rocAuc(y, outOfFold!) - report.selectionAuc)).toBeLessThan(0.03);
  });

  it('explains a training row by the fold model its score came from: same probability, exact sum, base near the label rate', () => {
    const refit = model.predictProba(X);
    const rate = y.reduce((a, b) => a + b, 0) / y.length;
    let differs = 0;
    for (const row of [0, 5, 17, 200]) {
      const e = explainTraining(row);
      expect(e.probability).toBe(outOfFold![row]);
      expect(e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(e.probability - e.base, 12);
      expect(Math.abs(e.base - rate)).toBeLessThan(0.06);
      if (Math.abs(refit[row] - e.probability) > 0.01) differs++;
    }
    // The refitted model has seen these rows and scores them otherwise: it could not have explained them.
    expect(differs).toBeGreaterThan(0);
  });

  it('explains new rows by the refitted model, from its own probability', () => {
    const fresh = toyData(20, 77);
    const p = model.predictProba(fresh.X);
    const e = model.explanation(fresh.X, 3);
    expect(e.probability).toBe(p[3]);
    expect(e.base).toBe(model.base);
    expect(e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(p[3] - model.base, 12);
  });

  it('round-trips the chosen model, explanations included', () => {
    const restored = loadModel(JSON.stringify(model.toJSON()));
    expect(Array.from(restored.predictProba(X))).toEqual(Array.from(model.predictProba(X)));
    expect(restored.explanation(X, 9)).toEqual(model.explanation(X, 9));
  });

  it('evaluateFamilies runs the same search and nested CV without training a model', () => {
    const ev = evaluateFamilies(TOY_SCHEMA, X, y, opts);
    expect(ev.chosen).toBe(report.chosen);
    expect(ev.families.map((f) => f.cvAucMean)).toEqual(report.families.map((f) => f.cvAucMean));
    expect(ev.cvAuc).toBe(report.cvAuc);
  });

  it('searches a stratified sample of large inputs and still refits on all rows', () => {
    const big = toyData(900, 13);
    const r = trainBest(TOY_SCHEMA, big.X, big.y, { seed: 1, folds: 3, nestedFolds: 0, families: ['logistic'], searchRows: 300 });
    expect(r.report.rows).toBe(900);
    expect(r.report.assessment).toBe('selection');
    expect(r.outOfFold).toBeNull();
    expect(r.report.reliability.reduce((s, b) => s + b.count, 0)).toBe(300);
    // Without out-of-fold scores the refitted model answers for every row, explanation included.
    expect(r.explainTraining(850).probability).toBe(r.model.predictProba(big.X)[850]);
  });

  it('rejects an unknown family and one-class labels clearly', () => {
    expect(() => trainBest(TOY_SCHEMA, X, y, { families: ['nope'] })).toThrow(/unknown model family "nope"/);
    expect(() => trainBest(TOY_SCHEMA, X, new Uint8Array(X.n))).toThrow(/both classes/);
  });
});
