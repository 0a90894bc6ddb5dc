import { describe, expect, it } from 'vitest';
import { IsotonicCalibrator, PlattCalibrator, reliabilityTable } from '../../src/ml/index.ts';
import { chooseCalibration } from '../../src/ml/calibrate-oof.ts';
import { Rng } from '../../src/ml/rng.ts';

describe('calibration', () => {
  it('isotonic regression pools adjacent violators', () => {
    const c = new IsotonicCalibrator().fit([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    // (0.2, 1) and (0.3, 0) violate order and pool to 0.5 at x = 0.25.
    expect(Array.from(c.xs)).toEqual([0.1, 0.25, 0.4]);
    // Block rates 0/1, 1/2, 1/1 smoothed by Laplace's rule: (k + 1) / (n + 2).
    expect(Array.from(c.ys)).toEqual([1 / 3, 0.5, 2 / 3]);
    expect(c.apply(0.175)).toBeCloseTo((1 / 3 + 0.5) / 2, 12);
  });

  it('isotonic calibration never claims certainty, and stays monotone', () => {
    const p = Array.from({ length: 200 }, (_, i) => i / 200);
    const y = p.map((x) => (x >= 0.5 ? 1 : 0));
    const c = new IsotonicCalibrator().fit(p, y);
    expect(c.apply(0.99)).toBeLessThan(1);
    expect(c.apply(0.99)).toBeGreaterThan(0.99);
    expect(c.apply(0.01)).toBeGreaterThan(0);
    for (let i = 1; i < c.ys.length; i++) expect(c.ys[i]).toBeGreaterThanOrEqual(c.ys[i - 1]);
  });

  it('Platt scaling recovers a known distortion of the logit', () => {
    const rng = new Rng(3);
    const p: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = rng.normal() * 2;
      y.push(rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
      p.push(1 / (1 + Math.exp(-(3 * z + 1)))); // overconfident and shifted
    }
    const c = new PlattCalibrator().fit(p, y);
    expect(c.a).toBeCloseTo(1 / 3, 1);
    expect(c.b).toBeCloseTo(-1 / 3, 1);
  });

  it('keeps no calibration when it would not lower Brier, and reports both Briers', () => {
    const rng = new Rng(4);
    const y = new Uint8Array(600);
    const p = new Float64Array(600);
    for (let i = 0; i < 600; i++) {
      p[i] = rng.next();
      y[i] = rng.next() < p[i] ? 1 : 0;
    }
    const choice = chooseCalibration([p], y, 1);
    expect(choice.brierCalibrated).toBeLessThanOrEqual(choice.brierUncalibrated);
    if (choice.kind === 'none') expect(choice.calibrator).toBeNull();
    const skewed = Float64Array.from(p, (v) => v ** 3);
    const fixed = chooseCalibration([skewed], y, 1);
    expect(fixed.kind).not.toBe('none');
    expect(fixed.brierCalibrated).toBeLessThan(fixed.brierUncalibrated - 0.01);
  });

  it('reliability bins count every row and average within the bin', () => {
    const t = reliabilityTable([0, 1, 1, 0], [0.05, 0.07, 0.95, 0.55]);
    expect(t.map((b) => b.count)).toEqual([2, 1, 1]);
    expect(t[0]).toMatchObject({ lo: 0, hi: 0.1, observed: 0.5 });
    expect(t[0].meanPredicted).toBeCloseTo(0.06, 12);
  });
});
