import { assertFitted, checkBinary, registerEstimator, type Estimator, type EstimatorJSON } from '../../estimator.ts';
import { Rng } from '../../rng.ts';
import type { Matrix } from '../../types.ts';
import { binMatrix } from './binning.ts';
import { growTree } from './grow.ts';
import { treeFromJSON, treeOutput, treeToJSON, type Tree } from './tree.ts';

export interface DecisionTreeParams {
  maxDepth: number;
  minLeaf: number;
  maxBins: number;
  seed: number;
}

const DEFAULTS: DecisionTreeParams = { maxDepth: 6, minLeaf: 10, maxBins: 64, seed: 0 };

/** CART with the Gini criterion; leaves output the share of positives among their training rows. */
export class DecisionTree implements Estimator<Matrix> {
  readonly kind = 'tree';
  readonly params: Readonly<DecisionTreeParams>;
  private state: { cols: number; tree: Tree } | null = null;

  constructor(params: Partial<DecisionTreeParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
  }

  clone(params: Partial<DecisionTreeParams> = {}): DecisionTree {
    return new DecisionTree({ ...this.params, ...params });
  }

  fit(X: Matrix, y: Uint8Array): this {
    checkBinary(y, X.rows);
    const B = binMatrix(X, this.params.maxBins);
    const w = new Float64Array(X.rows).fill(1);
    const wy = Float64Array.from(y);
    const rows = Uint32Array.from({ length: X.rows }, (_, i) => i);
    const { tree } = growTree(B, rows, w, wy, {
      criterion: { kind: 'gini' },
      maxDepth: this.params.maxDepth,
      minLeaf: this.params.minLeaf,
      maxFeatures: X.cols,
      rng: new Rng(this.params.seed),
    });
    this.state = { cols: X.cols, tree };
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const { cols, tree } = assertFitted(this.state, this.kind);
    if (X.cols !== cols) throw new Error(`tree: expected ${cols} columns, got ${X.cols}`);
    return Float64Array.from({ length: X.rows }, (_, i) => treeOutput(tree, X.data, i * cols));
  }

  toJSON(): EstimatorJSON {
    const s = assertFitted(this.state, this.kind);
    return { kind: this.kind, params: { ...this.params }, state: { cols: s.cols, tree: treeToJSON(s.tree) } };
  }

  static fromJSON(json: EstimatorJSON): DecisionTree {
    const st = json.state as { cols?: unknown; tree?: unknown };
    if (!Number.isInteger(st?.cols)) throw new Error('corrupted tree state');
    const m = new DecisionTree(json.params as Partial<DecisionTreeParams>);
    m.state = { cols: st.cols as number, tree: treeFromJSON(st.tree, st.cols as number) };
    return m;
  }
}

registerEstimator('tree', DecisionTree.fromJSON);
