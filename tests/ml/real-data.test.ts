import { expect, it } from 'vitest';
import { FEATURE_SCHEMA, toFrame, toLabels } from '../../src/core/features.ts';
import { readDatasetDir } from '../../src/data/index.ts';
import { trainBest } from '../../src/ml/index.ts';
import { describeReal, realDir } from '../support/realData.ts';

/** The drivers the analysts found; the model's global ranking should agree where the data does. */
const ANALYST_DRIVERS = ['pagesPerVisit', 'minutesCurrent', 'minutesPrev', 'unpaidItems', 'promoShare', 'marketActive6m'];

describeReal('the real «В один клик» customers', () => {
  it('a quick two-family search beats 0.9 ROC AUC and ranks the analysts’ drivers on top', async () => {
    const { customers } = await readDatasetDir(realDir());
    const X = toFrame(customers);
    const y = toLabels(customers);
    expect(X.n).toBe(1296);
    const { model, report } = trainBest(FEATURE_SCHEMA, X, y, { seed: 42, repeats: 1, families: ['logistic', 'knn'] });
    expect(report.cvAuc).toBeGreaterThan(0.9);
    expect(report.brier.calibrated).toBeLessThanOrEqual(report.brier.uncalibrated);
    const top6 = report.importance.slice(0, 6).map((i) => i.feature);
    expect(top6.filter((f) => ANALYST_DRIVERS.includes(f)).length).toBeGreaterThanOrEqual(4);
    const drivers = model.explain(X, 0);
    expect(drivers).toHaveLength(FEATURE_SCHEMA.length);
  });
});
