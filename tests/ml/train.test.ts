import { describe, expect, it } from 'vitest';
import { brier, loadModel, rocAuc, trainBest, type Frame } from '../../src/ml/index.ts';
import { TOY_SCHEMA, toyData } from './toy.ts';

const { X, y } = toyData(400, 2);
const opts = { seed: 9, families: ['logistic'], folds: 4, repeats: 2 };

describe('trainBest (logistic path)', () => {
  const { model, report } = trainBest(TOY_SCHEMA, X, y, opts);

  it('chooses a configuration and reports nested-CV quality that fresh customers confirm', () => {
    expect(report.chosen).toBe('logistic');
    expect(report.rows).toBe(400);
    expect(report.families[0].candidates).toBeGreaterThan(1);
    expect(report.reliability.reduce((s, b) => s + b.count, 0)).toBe(400);
    expect(report.assessment).toBe('nested');
    expect(report.cvAucStd).toBeGreaterThan(0);
    // 5000 customers from the same law, none seen in training: what the report promises.
    const fresh = toyData(5000, 99);
    const p = model.predictProba(fresh.X);
    expect(Math.abs(report.cvAuc - rocAuc(fresh.y, p))).toBeLessThan(0.03);
    expect(Math.abs(report.brier.nested! - brier(fresh.y, p))).toBeLessThan(0.015);
  });

  it('ranks the informative features above the irrelevant ones', () => {
    const names = report.importance.map((i) => i.feature);
    expect(names.slice(0, 2).sort()).toEqual(['minutes', 'visits']);
    expect(names.indexOf('noise')).toBeGreaterThan(1);
  });

  it('is deterministic for a seed', () => {
    const again = trainBest(TOY_SCHEMA, X, y, opts);
    expect(again.report.cvAuc).toBe(report.cvAuc);
    expect(Array.from(again.model.predictProba(X))).toEqual(Array.from(model.predictProba(X)));
  });

  it('explains a row with per-feature contributions that add up to p − base and point the right way', () => {
    const e = model.explanation(X, 0);
    expect(e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(e.probability - e.base, 12);
    const drivers = model.explain(X, 0);
    expect(drivers.map((d) => d.feature).sort()).toEqual(TOY_SCHEMA.map((s) => s.name).sort());
    for (let k = 1; k < drivers.length; k++) {
      expect(Math.abs(drivers[k - 1].contribution)).toBeGreaterThanOrEqual(Math.abs(drivers[k].contribution));
    }
    // Fewer visits than average raise the risk in the toy law.
    const low: Frame = { n: 1, columns: { tier: ['basic'], visits: Float64Array.from([1]), minutes: Float64Array.from([15]), noise: Float64Array.from([0]), channel: ['web'] } };
    const v = model.explain(low, 0).find((d) => d.feature === 'visits')!;
    expect(v.contribution).toBeGreaterThan(0.05);
  });

  it('round-trips through JSON with identical probabilities and explanations', () => {
    const restored = loadModel(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored.family).toBe('logistic');
    expect(Array.from(restored.predictProba(X))).toEqual(Array.from(model.predictProba(X)));
    expect(restored.explain(X, 3)).toEqual(model.explain(X, 3));
  });

  it('refuses a corrupted artifact with a clear error', () => {
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    expect(() => loadModel({ ...json, format: 'other' })).toThrow(/corrupted model artifact: format/);
    json.pipeline.state.estimator.state.coef = 'oops';
    expect(() => loadModel(json)).toThrow(/corrupted model artifact/);
    expect(() => loadModel(null)).toThrow(/corrupted model artifact/);
  });
});

describe('loadModel width check', () => {
  it('refuses an artifact whose preprocessor and estimator disagree on the columns', () => {
    const { model } = trainBest(TOY_SCHEMA, X, y, { ...opts, repeats: 1 });
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    json.pipeline.state.estimator.state.coef.pop();
    expect(() => loadModel(json)).toThrow(/corrupted model artifact: .*columns/);
  });
});
