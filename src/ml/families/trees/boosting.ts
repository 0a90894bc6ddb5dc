import { assertFitted, checkBinary, registerEstimator, type Estimator, type EstimatorJSON } from '../../estimator.ts';
import { sigmoid } from '../../link.ts';
import { Rng } from '../../rng.ts';
import type { Matrix } from '../../types.ts';
import { binMatrix } from './binning.ts';
import { growTree } from './grow.ts';
import { addTreeOutputs, treeFromJSON, treeToJSON, type Tree } from './tree.ts';

export interface BoostingParams {
  rounds: number;
  learningRate: number;
  maxDepth: number;
  minLeaf: number;
  /** L2 penalty on leaf values (XGBoost's λ). */
  lambda: number;
  minChildWeight: number;
  /** Row fraction drawn without replacement per round (stochastic gradient boosting). */
  subsample: number;
  /** Feature fraction tried per split. */
  colsample: number;
  maxBins: number;
  seed: number;
}

const DEFAULTS: BoostingParams = {
  rounds: 100,
  learningRate: 0.1,
  maxDepth: 3,
  minLeaf: 5,
  lambda: 1,
  minChildWeight: 1,
  subsample: 0.8,
  colsample: 0.5,
  maxBins: 64,
  seed: 0,
};

/**
 * Gradient boosting of histogram regression trees on the log-loss with Newton leaf values
 * (the XGBoost/LightGBM recipe, at the scale of one small table).
 */
export class GradientBoosting implements Estimator<Matrix> {
  readonly kind = 'boosting';
  readonly params: Readonly<BoostingParams>;
  private state: { cols: number; init: number; trees: Tree[] } | null = null;

  constructor(params: Partial<BoostingParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
  }

  clone(params: Partial<BoostingParams> = {}): GradientBoosting {
    return new GradientBoosting({ ...this.params, ...params });
  }

  fit(X: Matrix, y: Uint8Array): this {
    checkBinary(y, X.rows);
    const prm = this.params;
    const n = X.rows;
    const B = binMatrix(X, prm.maxBins);
    const rng = new Rng(prm.seed);
    let pos = 0;
    for (let i = 0; i < n; i++) pos += y[i];
    const init = Math.log(pos / (n - pos));
    const F = new Float64Array(n).fill(init);
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const take = Math.max(2, Math.round(prm.subsample * n));
    const maxFeatures = Math.max(1, Math.round(prm.colsample * X.cols));
    const trees: Tree[] = [];
    for (let r = 0; r < prm.rounds; r++) {
      for (let i = 0; i < n; i++) {
        const p = sigmoid(F[i]);
        g[i] = p - y[i];
        h[i] = Math.max(p * (1 - p), 1e-12);
      }
      let rows = all;
      if (take < n) {
        for (let k = 0; k < take; k++) {
          const j = k + rng.int(n - k);
          const t = all[k];
          all[k] = all[j];
          all[j] = t;
        }
        rows = all.subarray(0, take);
      }
      const { tree } = growTree(B, rows, g, h, {
        criterion: { kind: 'newton', lambda: prm.lambda, minChildWeight: prm.minChildWeight },
        maxDepth: prm.maxDepth,
        minLeaf: prm.minLeaf,
        maxFeatures,
        rng,
      });
      for (let k = 0; k < tree.value.length; k++) tree.value[k] *= prm.learningRate;
      addTreeOutputs(tree, X, F, 1);
      trees.push(tree);
    }
    this.state = { cols: X.cols, init, trees };
    return this;
  }

  /** Log-odds per row. */
  decisionFunction(X: Matrix): Float64Array {
    const { cols, init, trees } = assertFitted(this.state, this.kind);
    if (X.cols !== cols) throw new Error(`boosting: expected ${cols} columns, got ${X.cols}`);
    const out = new Float64Array(X.rows).fill(init);
    for (const t of trees) addTreeOutputs(t, X, out, 1);
    return out;
  }

  predictProba(X: Matrix): Float64Array {
    return this.decisionFunction(X).map(sigmoid);
  }

  toJSON(): EstimatorJSON {
    const s = assertFitted(this.state, this.kind);
    return { kind: this.kind, params: { ...this.params }, state: { cols: s.cols, init: s.init, trees: s.trees.map(treeToJSON) } };
  }

  static fromJSON(json: EstimatorJSON): GradientBoosting {
    const st = json.state as { cols?: unknown; init?: unknown; trees?: unknown };
    if (!Number.isInteger(st?.cols) || typeof st.init !== 'number' || !Array.isArray(st.trees)) throw new Error('corrupted boosting state');
    const m = new GradientBoosting(json.params as Partial<BoostingParams>);
    m.state = { cols: st.cols as number, init: st.init, trees: st.trees.map((t) => treeFromJSON(t, st.cols as number)) };
    return m;
  }
}

registerEstimator('boosting', GradientBoosting.fromJSON);
