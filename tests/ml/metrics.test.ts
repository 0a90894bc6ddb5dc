import { describe, expect, it } from 'vitest';
import { brier, logLoss, rocAuc } from '../../src/ml/index.ts';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });

  it('matches a hand count of correctly ordered pairs', () => {
    // Positives 0.35, 0.8; negatives 0.1, 0.4, 0.7 → pairs won: 0.35>0.1; 0.8>all three → 4 of 6.
    expect(rocAuc([0, 1, 0, 0, 1], [0.1, 0.35, 0.4, 0.7, 0.8])).toBeCloseTo(4 / 6, 12);
  });

  it('counts tied scores as one half, like scikit-learn', () => {
    // One positive tied with one negative at 0.5, beats the other negative: (1 + 0.5) / 2.
    expect(rocAuc([1, 0, 0], [0.5, 0.5, 0.2])).toBeCloseTo(0.75, 12);
    expect(rocAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('refuses a single class and mismatched lengths', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
    expect(() => rocAuc([1, 0], [0.2])).toThrow(/length/);
  });
});

describe('brier and logLoss', () => {
  it('brier is the mean squared error', () => {
    // (0.9−1)² + (0.2−0)² + (0.6−1)² = 0.01 + 0.04 + 0.16 = 0.21 → /3
    expect(brier([1, 0, 1], [0.9, 0.2, 0.6])).toBeCloseTo(0.07, 12);
  });

  it('logLoss is the mean negative log-likelihood', () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
  });
});

describe('metric inputs', () => {
  it('refuses NaN scores instead of ranking them arbitrarily', () => {
    expect(() => rocAuc([0, 1, 0], [0.1, NaN, 0.3])).toThrow(/NaN/);
  });
});
