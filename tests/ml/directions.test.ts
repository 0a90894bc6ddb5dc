import { describe, expect, it } from 'vitest';
import { LogisticRegression } from '../../src/ml/families/logistic.ts';
import { Pipeline, featureDirections } from '../../src/ml/index.ts';
import { TOY_SCHEMA, toyData } from './toy.ts';

describe('featureDirections', () => {
  const { X, y } = toyData(600, 5);
  const model = new Pipeline(TOY_SCHEMA, new LogisticRegression({ C: 1 })).fit(X, y);
  const dirs = featureDirections(TOY_SCHEMA, X, y, (F) => model.predictProba(F));
  const byName = Object.fromEntries(dirs.map((d) => [d.feature, d]));

  it('reads the learned direction off partial dependence, next to the raw correlation', () => {
    // The toy law: more visits and more minutes lower the risk.
    expect(byName.visits.direction).toBe(-1);
    expect(byName.visits.pdDelta).toBeLessThan(-0.1);
    expect(byName.visits.correlation).toBeLessThan(-0.1);
    expect(byName.minutes.direction).toBe(-1);
    const curve = byName.visits.curve.map((c) => c.meanProbability);
    for (let k = 1; k < curve.length; k++) expect(curve[k]).toBeLessThan(curve[k - 1]);
  });

  it('shows a nearly flat curve for a feature the label ignores', () => {
    expect(Math.abs(byName.noise.pdDelta)).toBeLessThan(Math.abs(byName.visits.pdDelta) / 5);
    expect(Math.abs(byName.noise.correlation)).toBeLessThan(0.1);
  });

  it('gives categorical features a partial dependence and a label rate per level', () => {
    const tier = Object.fromEntries(byName.tier.curve.map((c) => [c.value, c]));
    expect(tier.gold.meanProbability).toBeGreaterThan(tier.basic.meanProbability);
    expect(tier.gold.labelRate).toBeGreaterThan(tier.basic.labelRate);
    expect(tier.gold.rows + tier.basic.rows).toBe(600);
    expect(byName.tier.direction).toBe(0);
  });

  it('flags a direction the model learned against the raw data as such', () => {
    // Scores that rise with visits: the model's direction and the data's then disagree.
    const contrary = featureDirections(TOY_SCHEMA, X, y, (F) => Float64Array.from(F.columns.visits as Float64Array, (v) => 1 / (1 + Math.exp(-v + 5))));
    const v = contrary.find((d) => d.feature === 'visits')!;
    expect(v.direction).toBe(1);
    expect(Math.sign(v.correlation)).toBe(-1);
  });
});
