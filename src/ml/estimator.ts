import type { Matrix } from './types.ts';

export type Params = Record<string, unknown>;

/** Serialized estimator: `kind` selects the registered reader, `state` is that family's fitted data. */
export interface EstimatorJSON {
  kind: string;
  params: Params;
  state: unknown;
}

/**
 * A binary classifier in the scikit-learn mould. Constructors only store params; `fit` trains and
 * must not mutate X or y; any randomness comes from a seed held in params.
 */
export interface Estimator<X = Matrix> {
  /** Registry key, e.g. 'logistic'. */
  readonly kind: string;
  readonly params: Readonly<Params>;
  fit(X: X, y: Uint8Array): this;
  /** P(y = 1) per row. */
  predictProba(X: X): Float64Array;
  /** A new, unfitted estimator of the same kind with `params` overriding the current ones. */
  clone(params?: Params): Estimator<X>;
  toJSON(): EstimatorJSON;
}

/**
 * Optional capability of linear-in-logit models. Explanations do not special-case it: terms additive
 * in the logit do not add up in probability, so logistic models are explained like every other.
 */
export interface LinearModel {
  linearTerms(): { coef: Float64Array; intercept: number };
}

/**
 * A walk from a start row to a target row `x`, switching a few encoded columns to x's values per step
 * (an explanation's path from a background customer to the explained one). `steps[k]` lists the
 * columns of step k; the row after the last step is x itself and is not scored.
 */
export interface Walk {
  /** Row of `starts` the walk begins at. */
  start: number;
  steps: readonly (readonly number[])[];
}

/**
 * Optional capability: scores every inner row of many walks, walk by walk (Σ (steps − 1) values).
 * Consecutive rows differ in one feature, so a family can update the previous row's work instead of
 * scoring from scratch (KNN distances, tree paths); explanations cost ten times less that way. The
 * values must equal `predictProba` of the same rows up to rounding.
 */
export interface WalkScorer {
  scoreWalks(x: Float64Array, starts: Matrix, walks: readonly Walk[]): Float64Array;
}

/** Scores walks through the capability when the estimator has it, else by building every row. */
export function scoreWalks(e: Estimator<Matrix>, x: Float64Array, starts: Matrix, walks: readonly Walk[]): Float64Array {
  if (typeof (e as Partial<WalkScorer>).scoreWalks === 'function') return (e as unknown as WalkScorer).scoreWalks(x, starts, walks);
  const width = x.length;
  const rows = walks.reduce((s, w) => s + Math.max(0, w.steps.length - 1), 0);
  const data = new Float64Array(rows * width);
  let r = 0;
  for (const w of walks) {
    const cur = Float64Array.from(starts.data.subarray(w.start * width, (w.start + 1) * width));
    for (let k = 0; k + 1 < w.steps.length; k++) {
      for (const j of w.steps[k]) cur[j] = x[j];
      data.set(cur, r++ * width);
    }
  }
  return rows > 0 ? e.predictProba({ rows, cols: width, data }) : new Float64Array(0);
}

type Reader = (json: EstimatorJSON) => Estimator<Matrix>;
const readers = new Map<string, Reader>();

/** Each family registers its `fromJSON` here when its module loads. */
export function registerEstimator(kind: string, read: Reader): void {
  readers.set(kind, read);
}

export function estimatorFromJSON(json: unknown): Estimator<Matrix> {
  const j = json as EstimatorJSON;
  if (!j || typeof j !== 'object' || typeof j.kind !== 'string' || typeof j.params !== 'object' || j.params === null) {
    throw new Error('corrupted estimator: expected { kind, params, state }');
  }
  const read = readers.get(j.kind);
  if (!read) throw new Error(`unknown estimator kind "${j.kind}"`);
  return read(j);
}

export function assertFitted<T>(state: T | null, kind: string): T {
  if (state === null) throw new Error(`${kind}: predict called before fit`);
  return state;
}

/** Checks a deserialized numeric array; `len` when the length is known. */
export function numberArray(v: unknown, what: string, len?: number): Float64Array {
  if (!Array.isArray(v) || (len !== undefined && v.length !== len) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`corrupted ${what}`);
  }
  return Float64Array.from(v);
}

export function checkBinary(y: Uint8Array, rows: number): void {
  if (y.length !== rows) throw new Error(`y has ${y.length} labels, X has ${rows} rows`);
  let pos = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`label ${y[i]} at row ${i} is not 0/1`);
    pos += y[i];
  }
  if (pos === 0 || pos === y.length) throw new Error('training needs both classes');
}
