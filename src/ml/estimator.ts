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
 * Optional capability: rough multiply-adds to score one row. Deterministic (read off the fitted
 * structure, never timed), so choices that weigh scoring cost stay reproducible.
 */
export interface CostedModel {
  scoringCost(): number;
}

export function scoringCost(e: unknown): number {
  return typeof (e as Partial<CostedModel>)?.scoringCost === 'function' ? (e as CostedModel).scoringCost() : 0;
}

/** Optional capability of linear-in-logit models; the exact explanation path uses it. */
export interface LinearModel {
  linearTerms(): { coef: Float64Array; intercept: number };
}

export function isLinear(e: unknown): e is LinearModel {
  return typeof (e as Partial<LinearModel>)?.linearTerms === 'function';
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
