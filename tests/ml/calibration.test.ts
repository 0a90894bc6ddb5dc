import { describe, expect, it } from 'vitest';
import { IsotonicCalibrator, PlattCalibrator, brier, reliabilityTable, stratifiedKFold } from '../../src/ml/index.ts';
import { chooseCalibration } from '../../src/ml/calibrate-oof.ts';
import { Rng } from '../../src/ml/rng.ts';

describe('calibration', () => {
  it('isotonic regression pools adjacent violators', () => {
    const c = new IsotonicCalibrator().fit([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    // (0.2, 1) and (0.3, 0) violate order and pool to 0.5 at x = 0.25.
    expect(Array.from(c.xs)).toEqual([0.1, 0.25, 0.4]);
    // Block rates 0/1, 1/2, 1/1 smoothed by Laplace's rule: (k + 1) / (n + 2).
    expect(Array.from(c.ys)).toEqual([1 / 3, 0.5, 2 / 3]);
    // Plus the 1e-6 slope that keeps the map strictly increasing.
    expect(c.apply(0.175)).toBeCloseTo((1 / 3 + 0.5) / 2 + 1e-6 * 0.175, 12);
    expect(c.apply(0.05)).toBeLessThan(c.apply(0.06));
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

  /** Scores in [0, 1] and labels drawn from `truth(score)`; a seed fixes the whole set. */
  const sample = (n: number, seed: number, truth: (p: number) => number) => {
    const rng = new Rng(seed);
    const p = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      p[i] = rng.next();
      y[i] = rng.next() < truth(p[i]) ? 1 : 0;
    }
    return { p, y };
  };

  it('calibrates each row with a map fitted without its label: flipping that label leaves its score alone', () => {
    // The true curve is a Platt curve, so Platt wins clearly and one flipped label cannot change the kind.
    const { p, y } = sample(800, 5, (v) => 1 / (1 + Math.exp(-(2.5 * Math.log(v / (1 - v)) + 1))));
    const splits = stratifiedKFold(y, 5, 2);
    const before = chooseCalibration([p], y, splits);
    expect(before.kind).not.toBe('none');
    for (const i of [3, 100, 555]) {
      const flipped = y.slice();
      flipped[i] = 1 - flipped[i];
      const after = chooseCalibration([p], flipped, splits);
      expect(after.kind).toBe(before.kind);
      expect(after.calibratedOof[0][i]).toBe(before.calibratedOof[0][i]);
      // The label does reach the other rows' maps, so the check above is not vacuous.
      expect(Array.from(after.calibratedOof[0])).not.toEqual(Array.from(before.calibratedOof[0]));
    }
  });

  it('a kept calibration lowers Brier on fresh rows from the same source, not only on the rows it chose on', () => {
    const truth = (v: number) => v ** 0.4; // the scores are far too low for what they rank
    const fit = sample(800, 5, truth);
    const choice = chooseCalibration([fit.p], fit.y, stratifiedKFold(fit.y, 5, 2));
    expect(choice.kind).not.toBe('none');
    const fresh = sample(2000, 6, truth);
    const calibrated = Float64Array.from(fresh.p, (v) => choice.calibrator!.apply(v));
    expect(brier(fresh.y, calibrated)).toBeLessThan(brier(fresh.y, fresh.p) - 0.02);
  });

  it('reliability bins count every row and average within the bin', () => {
    const t = reliabilityTable([0, 1, 1, 0], [0.05, 0.07, 0.95, 0.55]);
    expect(t.map((b) => b.count)).toEqual([2, 1, 1]);
    expect(t[0]).toMatchObject({ lo: 0, hi: 0.1, observed: 0.5 });
    expect(t[0].meanPredicted).toBeCloseTo(0.06, 12);
  });
});
