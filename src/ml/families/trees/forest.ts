import { assertFitted, checkBinary, registerEstimator, type Estimator, type EstimatorJSON } from '../../estimator.ts';
import { Rng } from '../../rng.ts';
import type { Matrix } from '../../types.ts';
import { binMatrix } from './binning.ts';
import { growTree } from './grow.ts';
import { forestStateFromJSON, forestStateToJSON, meanTreeOutputs, type ForestState, type Tree } from './tree.ts';

export interface ForestParams {
  trees: number;
  maxDepth: number;
  minLeaf: number;
  /** Features tried per split as a fraction of all encoded columns (at least one). */
  maxFeatures: number;
  maxBins: number;
  seed: number;
}

const DEFAULTS: ForestParams = { trees: 100, maxDepth: 12, minLeaf: 2, maxFeatures: 0.1, maxBins: 64, seed: 0 };

/**
 * Random forest: bootstrap rows (as integer weights, so each tree sees distinct rows), random feature
 * subsets per split, probabilities averaged over trees. Binning once per fit keeps each tree cheap.
 */
export class RandomForest implements Estimator<Matrix> {
  readonly kind = 'forest';
  readonly params: Readonly<ForestParams>;
  private state: ForestState | null = null;

  constructor(params: Partial<ForestParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!Number.isInteger(this.params.trees) || this.params.trees < 1) throw new Error('forest: trees must be a positive integer');
  }

  clone(params: Partial<ForestParams> = {}): RandomForest {
    return new RandomForest({ ...this.params, ...params });
  }

  fit(X: Matrix, y: Uint8Array): this {
    checkBinary(y, X.rows);
    const B = binMatrix(X, this.params.maxBins);
    const rng = new Rng(this.params.seed);
    const n = X.rows;
    const maxFeatures = Math.max(1, Math.round(this.params.maxFeatures * X.cols));
    const w = new Float64Array(n);
    const wy = new Float64Array(n);
    const trees: Tree[] = [];
    for (let t = 0; t < this.params.trees; t++) {
      w.fill(0);
      for (let k = 0; k < n; k++) w[rng.int(n)]++;
      const rows: number[] = [];
      for (let i = 0; i < n; i++) {
        wy[i] = w[i] * y[i];
        if (w[i] > 0) rows.push(i);
      }
      const { tree } = growTree(B, Uint32Array.from(rows), w, wy, {
        criterion: { kind: 'gini' },
        maxDepth: this.params.maxDepth,
        minLeaf: this.params.minLeaf,
        maxFeatures,
        rng,
      });
      trees.push(tree);
    }
    this.state = { cols: X.cols, trees };
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const { cols, trees } = assertFitted(this.state, this.kind);
    return meanTreeOutputs(trees, cols, X, this.kind);
  }


  toJSON(): EstimatorJSON {
    return { kind: this.kind, params: { ...this.params }, state: forestStateToJSON(assertFitted(this.state, this.kind)) };
  }

  static fromJSON(json: EstimatorJSON): RandomForest {
    const m = new RandomForest(json.params as Partial<ForestParams>);
    m.state = forestStateFromJSON(json.state, 'forest');
    return m;
  }
}

registerEstimator('forest', RandomForest.fromJSON);
