import { describe, expect, it } from 'vitest';
import { LogisticRegression, Pipeline, TabularPreprocessor, crossValidate, stratifiedKFold, type Frame } from '../../src/ml/index.ts';
import { TOY_SCHEMA, toyData } from './toy.ts';

const small: Frame = {
  n: 4,
  columns: {
    tier: ['gold', 'basic', 'gold', 'basic'],
    visits: Float64Array.from([1, 2, 3, 6]),
    minutes: Float64Array.from([10, 10, 10, 10]),
    noise: Float64Array.from([0, 0, 0, 0]),
    channel: ['web', 'app', 'web', 'web'],
  },
};

describe('TabularPreprocessor', () => {
  it('standard-scales numeric columns with the population std and one-hot encodes sorted levels', () => {
    const p = new TabularPreprocessor(TOY_SCHEMA).fit(small);
    expect(p.columnNames).toEqual(['tier=basic', 'tier=gold', 'visits', 'minutes', 'noise', 'channel=app', 'channel=web']);
    const m = p.transform(small);
    const visits = [0, 1, 2, 3].map((i) => m.data[i * m.cols + 2]);
    const sd = Math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + 0 + (6 - 3) ** 2) / 4);
    expect(visits[0]).toBeCloseTo((1 - 3) / sd, 12);
    expect(visits.reduce((a, b) => a + b)).toBeCloseTo(0, 12);
    // A constant column scales by 1 instead of dividing by zero.
    expect(m.data[2 * m.cols + 3]).toBe(0);
    expect(Array.from(m.data.subarray(0, 2))).toEqual([0, 1]);
  });

  it('encodes an unseen level as all zeros and a missing number as the mean', () => {
    const p = new TabularPreprocessor(TOY_SCHEMA).fit(small);
    const m = p.transform({
      n: 1,
      columns: { tier: ['platinum'], visits: Float64Array.from([NaN]), minutes: Float64Array.from([10]), noise: Float64Array.from([0]), channel: ['web'] },
    });
    expect(Array.from(m.data)).toEqual([0, 0, 0, 0, 0, 0, 1]);
  });

  it('reports a missing or mistyped column clearly', () => {
    const p = new TabularPreprocessor(TOY_SCHEMA);
    const { visits: _drop, ...rest } = small.columns;
    expect(() => p.fit({ n: 4, columns: rest })).toThrow(/no column "visits"/);
    expect(() => p.fit({ n: 4, columns: { ...small.columns, visits: [1, 2, 3, 4] as unknown as Float64Array } })).toThrow(/Float64Array/);
  });

  it('does not mutate the frame and round-trips through JSON', () => {
    const before = JSON.stringify({ ...small.columns, visits: Array.from(small.columns.visits as Float64Array) });
    const p = new TabularPreprocessor(TOY_SCHEMA).fit(small);
    const q = TabularPreprocessor.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    expect(Array.from(q.transform(small).data)).toEqual(Array.from(p.transform(small).data));
    expect(JSON.stringify({ ...small.columns, visits: Array.from(small.columns.visits as Float64Array) })).toBe(before);
  });
});

describe('Pipeline inside cross-validation', () => {
  it('fits the scaler of each fold on that fold’s training rows only', () => {
    const { X, y } = toyData(200, 3);
    const splits = stratifiedKFold(y, 4, 11);
    const visits = X.columns.visits as Float64Array;
    crossValidate(new Pipeline(TOY_SCHEMA, new LogisticRegression()), X, y, splits, ({ split, fitted }) => {
      const foldMean = [...split.train].reduce((s, i) => s + visits[i], 0) / split.train.length;
      expect((fitted as Pipeline).preprocessor.means().visits).toBeCloseTo(foldMean, 10);
    });
  });

  it('is an estimator: clone is unfitted and keeps params', () => {
    const pipe = new Pipeline(TOY_SCHEMA, new LogisticRegression({ C: 0.5 }));
    const c = pipe.clone({ C: 2 });
    expect(c.params.C).toBe(2);
    expect(pipe.params.C).toBe(0.5);
    expect(() => c.predictProba(small)).toThrow(/not fitted/);
  });
});

describe('duplicateGroups', () => {
  it('gives rows identical on every schema column the id of the first of them', async () => {
    const { duplicateGroups } = await import('../../src/ml/frame.ts');
    const X: Frame = { n: 4, columns: { a: Float64Array.from([1, 2, 1, 1]), b: ['x', 'y', 'x', 'z'] } };
    expect(Array.from(duplicateGroups([{ name: 'a', kind: 'numeric' }, { name: 'b', kind: 'categorical' }], X))).toEqual([0, 1, 0, 3]);
  });
});
