import { describe, expect, it } from 'vitest';
import { repeatedStratifiedKFold, stratifiedHoldout, stratifiedKFold, stratifiedSample } from '../../src/ml/index.ts';

const y = Uint8Array.from({ length: 103 }, (_, i) => (i % 5 < 2 ? 1 : 0));

describe('stratifiedKFold', () => {
  it('partitions the rows: every row is tested exactly once and never trained on in its own fold', () => {
    const splits = stratifiedKFold(y, 5, 7);
    const seen = new Uint8Array(y.length);
    for (const s of splits) {
      s.test.forEach((i) => seen[i]++);
      const test = new Set(s.test);
      expect(s.train.length + s.test.length).toBe(y.length);
      expect([...s.train].some((i) => test.has(i))).toBe(false);
    }
    expect([...seen].every((c) => c === 1)).toBe(true);
  });

  it('keeps the class ratio in every fold to within one sample', () => {
    const positives = y.reduce((a, b) => a + b, 0);
    for (const s of stratifiedKFold(y, 5, 7)) {
      const pos = [...s.test].filter((i) => y[i] === 1).length;
      expect(Math.abs(pos - (positives * s.test.length) / y.length)).toBeLessThanOrEqual(1);
      expect(s.test.length === 20 || s.test.length === 21).toBe(true);
    }
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const a = stratifiedKFold(y, 5, 7).map((s) => Array.from(s.test));
    expect(stratifiedKFold(y, 5, 7).map((s) => Array.from(s.test))).toEqual(a);
    expect(stratifiedKFold(y, 5, 8).map((s) => Array.from(s.test))).not.toEqual(a);
  });

  it('repeats draw different partitions', () => {
    const splits = repeatedStratifiedKFold(y, 4, 3, 1);
    expect(splits).toHaveLength(12);
    expect(splits.map((s) => s.repeat)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(Array.from(splits[0].test)).not.toEqual(Array.from(splits[4].test));
  });

  it('rejects too few folds or a class smaller than the fold count', () => {
    expect(() => stratifiedKFold(y, 1, 0)).toThrow();
    expect(() => stratifiedKFold(Uint8Array.from([1, 0, 0, 0]), 2, 0)).toThrow(/fewer than/);
  });
});

describe('stratifiedSample', () => {
  it('keeps the class ratio and is sorted', () => {
    const idx = stratifiedSample(y, 50, 3);
    expect(idx.length).toBe(50);
    expect([...idx].filter((i) => y[i] === 1).length).toBe(Math.round(50 * (42 / 103)));
    expect([...idx]).toEqual([...idx].sort((a, b) => a - b));
  });
});

describe('grouped stratified k-fold', () => {
  it('keeps rows of one group in the same fold', () => {
    const yy = Uint8Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const groups = Int32Array.from({ length: 60 }, (_, i) => (i < 10 ? 0 : i));
    for (const s of repeatedStratifiedKFold(yy, 4, 2, 5, groups)) {
      const inTest = [...s.test].filter((i) => i < 10).length;
      expect(inTest === 0 || inTest === 10).toBe(true);
    }
  });
});

describe('stratifiedHoldout', () => {
  it('partitions the rows, puts round(share · size) of each class in the test part and is seeded', () => {
    const { train, test } = stratifiedHoldout(y, 0.25, 9);
    expect(train.length + test.length).toBe(y.length);
    expect(new Set([...train, ...test]).size).toBe(y.length);
    expect([...test].filter((i) => y[i] === 1).length).toBe(Math.round(42 * 0.25));
    expect([...test].filter((i) => y[i] === 0).length).toBe(Math.round(61 * 0.25));
    expect(Array.from(stratifiedHoldout(y, 0.25, 9).test)).toEqual(Array.from(test));
    expect(Array.from(stratifiedHoldout(y, 0.25, 10).test)).not.toEqual(Array.from(test));
    expect(() => stratifiedHoldout(y, 1, 0)).toThrow(/testShare/);
  });
});
