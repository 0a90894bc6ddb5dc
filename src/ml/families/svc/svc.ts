import { createRequire } from 'node:module';
import type SVMClass from 'libsvm-js/asm';
import { fitSigmoid } from '../../calibration.ts';
import { assertFitted, checkBinary, registerEstimator, type Estimator, type EstimatorJSON, type Walk, type WalkScorer } from '../../estimator.ts';
import { sigmoid } from '../../link.ts';
import { takeRows, toArrays } from '../../matrix.ts';
import { stratifiedKFold, stratifiedSample } from '../../splits.ts';
import type { Matrix } from '../../types.ts';
import { decisionValues, parseLibsvmModel, type RbfModel } from './libsvm-model.ts';
import { gramDecision, rbfGram, solveCsvc, subGram, toLibsvmText } from './smo.ts';
import { byColumn, squaredDistances, walkDistances } from '../walk-distances.ts';

export interface SvcParams {
  C: number;
  /** RBF width; 'scale' is scikit-learn's 1 / (features · variance of X). */
  gamma: number | 'scale';
  /** Folds for the out-of-fold Platt fit of probabilities; 0 fits Platt on the training decision values. */
  plattFolds: number;
  /** Training rows kept at most: SMO is quadratic in rows and scoring is linear in support vectors. */
  maxTrain: number;
  /** 'smo': the in-process port of libsvm's solver; 'libsvm': libsvm-js/asm itself. Same model text either way. */
  solver: 'smo' | 'libsvm';
  seed: number;
}

const DEFAULTS: SvcParams = { C: 1, gamma: 'scale', plattFolds: 3, maxTrain: 3000, solver: 'smo', seed: 0 };

interface State {
  cols: number;
  /** libsvm's own model text: the serialized form and the source of the decision function. */
  modelText: string;
  model: RbfModel;
  platt: { a: number; b: number };
  /** Support vectors column by column, built for the first walk batch. */
  columns?: Float64Array;
}

let svmCtor: typeof SVMClass | null = null;
/** libsvm-js/asm is ~1 MB of asm.js: load it on first training only, scoring never needs it. */
function libsvm(): typeof SVMClass {
  svmCtor ??= createRequire(import.meta.url)('libsvm-js/asm') as typeof SVMClass;
  return svmCtor;
}

/**
 * RBF support vector classifier. The dual is solved either by libsvm-js/asm or by the in-process port
 * of libsvm's solver (faster here, see bench/ml.ts); both yield libsvm's model text, which is what gets
 * serialized, and the decision function is evaluated from it in JS, which is faster than libsvm-js's
 * per-row heap copies and needs no emscripten memory to be freed. Probabilities come from a seeded, out-of-fold Platt fit
 * rather than libsvm's `-b 1`, whose internal CV draws from the C library's global rand() and so
 * gives different results for the same inputs within one process.
 */
export class SupportVectorClassifier implements Estimator<Matrix>, WalkScorer {
  readonly kind = 'svc';
  readonly params: Readonly<SvcParams>;
  private state: State | null = null;
  /** Squared distances from each start row of a walk batch to every support vector, kept per start matrix. */
  private startDistances = new WeakMap<Matrix, Float64Array>();

  constructor(params: Partial<SvcParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!(this.params.C > 0)) throw new Error(`svc: C must be > 0, got ${this.params.C}`);
  }

  clone(params: Partial<SvcParams> = {}): SupportVectorClassifier {
    return new SupportVectorClassifier({ ...this.params, ...params });
  }

  private gammaFor(X: Matrix): number {
    if (this.params.gamma !== 'scale') return this.params.gamma;
    let s = 0;
    let s2 = 0;
    for (const v of X.data) (s += v), (s2 += v * v);
    const n = X.data.length;
    const variance = s2 / n - (s / n) ** 2;
    return 1 / (X.cols * (variance > 0 ? variance : 1));
  }

  fit(X: Matrix, y: Uint8Array): this {
    checkBinary(y, X.rows);
    this.startDistances = new WeakMap();
    let Xt = X;
    let yt = y;
    if (X.rows > this.params.maxTrain) {
      const idx = stratifiedSample(y, this.params.maxTrain, this.params.seed);
      Xt = takeRows(X, idx);
      yt = Uint8Array.from(idx, (i) => y[i]);
    }
    const gamma = this.gammaFor(Xt);
    const { C, plattFolds, seed } = this.params;
    const folds = plattFolds >= 2 ? stratifiedKFold(yt, plattFolds, seed) : [];
    let text: string;
    let scores: Float64Array;
    if (this.params.solver === 'smo') {
      // One Gram matrix serves the final solve and every Platt fold.
      const K = rbfGram(Xt, gamma);
      text = toLibsvmText(Xt, gamma, solveCsvc(K, yt, C));
      scores = new Float64Array(Xt.rows);
      for (const { train, test } of folds) {
        const sol = solveCsvc(subGram(K, Xt.rows, train), Uint8Array.from(train, (i) => yt[i]), C);
        gramDecision(K, Xt.rows, train, test, sol).forEach((f, k) => (scores[test[k]] = f));
      }
    } else {
      text = trainRbfLibsvm(Xt, yt, C, gamma);
      scores = new Float64Array(Xt.rows);
      for (const { train, test } of folds) {
        const part = parseLibsvmModel(trainRbfLibsvm(takeRows(Xt, train), Uint8Array.from(train, (i) => yt[i]), C, gamma), Xt.cols);
        decisionValues(part, takeRows(Xt, test)).forEach((f, k) => (scores[test[k]] = f));
      }
    }
    const model = parseLibsvmModel(text, Xt.cols);
    if (folds.length === 0) scores = decisionValues(model, Xt);
    this.state = { cols: X.cols, modelText: text, model, platt: fitSigmoid(scores, yt) };
    return this;
  }

  decisionFunction(X: Matrix): Float64Array {
    const s = assertFitted(this.state, this.kind);
    if (X.cols !== s.cols) throw new Error(`svc: expected ${s.cols} columns, got ${X.cols}`);
    return decisionValues(s.model, X);
  }

  predictProba(X: Matrix): Float64Array {
    const { a, b } = assertFitted(this.state, this.kind).platt;
    return this.decisionFunction(X).map((f) => sigmoid(a * f + b));
  }

  /** Walks follow the squared distance to every support vector step by step (walk-distances.ts). */
  scoreWalks(x: Float64Array, starts: Matrix, walks: readonly Walk[]): Float64Array {
    const st = assertFitted(this.state, this.kind);
    const { sv, coef, gamma, rho } = st.model;
    if (x.length !== st.cols || starts.cols !== st.cols) throw new Error(`svc: expected ${st.cols} columns, got ${x.length}`);
    st.columns ??= byColumn(sv);
    let startD = this.startDistances.get(starts);
    if (!startD) this.startDistances.set(starts, (startD = squaredDistances(starts, sv)));
    const sign = st.model.labels[0] === 1 ? 1 : -1;
    const { a, b } = st.platt;
    return walkDistances(x, starts, walks, sv.rows, st.columns, startD, (d2) => {
      let f = 0;
      for (let s = 0; s < sv.rows; s++) f += coef[s] * Math.exp(-gamma * Math.max(0, d2[s]));
      return sigmoid(a * sign * (f - rho) + b);
    });
  }

  get supportVectors(): number {
    return assertFitted(this.state, this.kind).model.sv.rows;
  }

  toJSON(): EstimatorJSON {
    const s = assertFitted(this.state, this.kind);
    return { kind: this.kind, params: { ...this.params }, state: { cols: s.cols, model: s.modelText, platt: s.platt } };
  }

  static fromJSON(json: EstimatorJSON): SupportVectorClassifier {
    const st = json.state as { cols?: unknown; model?: unknown; platt?: { a?: unknown; b?: unknown } };
    const m = new SupportVectorClassifier(json.params as Partial<SvcParams>);
    const { a, b } = st?.platt ?? {};
    if (!Number.isInteger(st?.cols) || typeof st.model !== 'string' || typeof a !== 'number' || typeof b !== 'number') {
      throw new Error('corrupted svc state');
    }
    m.state = { cols: st.cols as number, modelText: st.model, model: parseLibsvmModel(st.model, st.cols as number), platt: { a, b } };
    return m;
  }
}

registerEstimator('svc', SupportVectorClassifier.fromJSON);

function trainRbfLibsvm(X: Matrix, y: Uint8Array, C: number, gamma: number): string {
  const SVM = libsvm();
  const svm = new SVM({ type: SVM.SVM_TYPES.C_SVC, kernel: SVM.KERNEL_TYPES.RBF, cost: C, gamma, quiet: true });
  try {
    svm.train(toArrays(X), Array.from(y));
    return svm.serializeModel();
  } finally {
    svm.free();
  }
}
