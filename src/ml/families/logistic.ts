import { assertFitted, checkBinary, numberArray, registerEstimator, type Estimator, type EstimatorJSON, type LinearModel } from '../estimator.ts';
import { sigmoid } from '../link.ts';
import { solveSpd } from '../matrix.ts';
import type { Matrix } from '../types.ts';

export interface LogisticParams {
  /** Inverse regularization strength, as scikit-learn's C: the loss is Σ log-loss + penalty / C. */
  C: number;
  penalty: 'l2' | 'l1';
  maxIter: number;
  tol: number;
}

const DEFAULTS: LogisticParams = { C: 1, penalty: 'l2', maxIter: 100, tol: 1e-8 };

interface State {
  coef: Float64Array;
  intercept: number;
}

/**
 * Regularized logistic regression with an unpenalized intercept. L2 is solved by Newton's method
 * (a 23×23 system here, so a handful of iterations); L1 by proximal Newton with coordinate descent
 * on the quadratic model, the glmnet scheme. ml-logistic-regression was measured and rejected:
 * no intercept, no penalty, hard labels only, fixed-step gradient ascent.
 */
export class LogisticRegression implements Estimator<Matrix>, LinearModel {
  readonly kind = 'logistic';
  readonly params: Readonly<LogisticParams>;
  private state: State | null = null;

  constructor(params: Partial<LogisticParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!(this.params.C > 0)) throw new Error(`logistic: C must be > 0, got ${this.params.C}`);
  }

  clone(params: Partial<LogisticParams> = {}): LogisticRegression {
    return new LogisticRegression({ ...this.params, ...params });
  }

  fit(X: Matrix, y: Uint8Array): this {
    checkBinary(y, X.rows);
    this.state = this.params.penalty === 'l1' ? fitL1(X, y, this.params) : fitL2(X, y, this.params);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const { coef, intercept } = assertFitted(this.state, this.kind);
    if (X.cols !== coef.length) throw new Error(`logistic: expected ${coef.length} columns, got ${X.cols}`);
    const out = new Float64Array(X.rows);
    const d = X.data;
    const p = X.cols;
    for (let i = 0; i < X.rows; i++) {
      let z = intercept;
      for (let j = 0; j < p; j++) z += coef[j] * d[i * p + j];
      out[i] = sigmoid(z);
    }
    return out;
  }

  linearTerms(): State {
    const s = assertFitted(this.state, this.kind);
    return { coef: s.coef.slice(), intercept: s.intercept };
  }

  toJSON(): EstimatorJSON {
    const s = assertFitted(this.state, this.kind);
    return { kind: this.kind, params: { ...this.params }, state: { coef: Array.from(s.coef), intercept: s.intercept } };
  }

  static fromJSON(json: EstimatorJSON): LogisticRegression {
    const st = json.state as { coef?: unknown; intercept?: unknown };
    const m = new LogisticRegression(json.params as Partial<LogisticParams>);
    if (typeof st?.intercept !== 'number' || !Number.isFinite(st.intercept)) throw new Error('corrupted logistic intercept');
    m.state = { coef: numberArray(st.coef, 'logistic coefficients'), intercept: st.intercept };
    return m;
  }
}

registerEstimator('logistic', LogisticRegression.fromJSON);

/** Newton on the penalized log-likelihood; parameter vector is [coef..., intercept]. */
function fitL2(X: Matrix, y: Uint8Array, prm: LogisticParams): State {
  const n = X.rows;
  const p = X.cols;
  const q = p + 1;
  const lambda = 1 / prm.C;
  const w = new Float64Array(q);
  const d = X.data;
  const grad = new Float64Array(q);
  const hess = new Float64Array(q * q);
  const xi = new Float64Array(q);
  xi[p] = 1;
  for (let iter = 0; iter < prm.maxIter; iter++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) xi[j] = d[i * p + j];
      let z = 0;
      for (let j = 0; j < q; j++) z += w[j] * xi[j];
      const mu = sigmoid(z);
      const r = mu - y[i];
      const s = Math.max(mu * (1 - mu), 1e-10);
      for (let j = 0; j < q; j++) {
        grad[j] += r * xi[j];
        const sj = s * xi[j];
        if (sj === 0) continue;
        for (let k = 0; k <= j; k++) hess[j * q + k] += sj * xi[k];
      }
    }
    for (let j = 0; j < q; j++) for (let k = 0; k < j; k++) hess[k * q + j] = hess[j * q + k];
    for (let j = 0; j < p; j++) {
      grad[j] += lambda * w[j];
      hess[j * q + j] += lambda;
    }
    const step = solveSpd(hess, grad, q);
    let maxStep = 0;
    for (let j = 0; j < q; j++) {
      w[j] -= step[j];
      maxStep = Math.max(maxStep, Math.abs(step[j]));
    }
    if (maxStep < prm.tol) break;
  }
  return { coef: w.slice(0, p), intercept: w[p] };
}

/** Proximal Newton: each outer step builds the IRLS quadratic, inner coordinate descent soft-thresholds. */
function fitL1(X: Matrix, y: Uint8Array, prm: LogisticParams): State {
  const n = X.rows;
  const p = X.cols;
  const lambda = 1 / prm.C;
  const d = X.data;
  const coef = new Float64Array(p);
  let b = 0;
  const z = new Float64Array(n);
  const wts = new Float64Array(n);
  const resid = new Float64Array(n);
  for (let outer = 0; outer < prm.maxIter; outer++) {
    for (let i = 0; i < n; i++) {
      let eta = b;
      for (let j = 0; j < p; j++) eta += coef[j] * d[i * p + j];
      const mu = sigmoid(eta);
      const s = Math.max(mu * (1 - mu), 1e-5);
      wts[i] = s;
      z[i] = eta + (y[i] - mu) / s;
      resid[i] = z[i] - eta;
    }
    let maxDelta = 0;
    for (let inner = 0; inner < 100; inner++) {
      let innerDelta = 0;
      // Intercept: unpenalized weighted least-squares update.
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) (num += wts[i] * resid[i]), (den += wts[i]);
      const db = num / den;
      b += db;
      for (let i = 0; i < n; i++) resid[i] -= db;
      innerDelta = Math.max(innerDelta, Math.abs(db));
      for (let j = 0; j < p; j++) {
        let g = 0;
        let h = 0;
        for (let i = 0; i < n; i++) {
          const x = d[i * p + j];
          g += wts[i] * x * (resid[i] + coef[j] * x);
          h += wts[i] * x * x;
        }
        if (h === 0) continue;
        const next = Math.sign(g) * Math.max(Math.abs(g) - lambda, 0) / h;
        const delta = next - coef[j];
        if (delta !== 0) {
          for (let i = 0; i < n; i++) resid[i] -= delta * d[i * p + j];
          coef[j] = next;
          innerDelta = Math.max(innerDelta, Math.abs(delta));
        }
      }
      maxDelta = Math.max(maxDelta, innerDelta);
      if (innerDelta < prm.tol) break;
    }
    if (maxDelta < 1e-6) break;
  }
  return { coef, intercept: b };
}
