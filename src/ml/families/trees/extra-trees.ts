import { assertFitted, checkBinary, registerEstimator, type Estimator, type EstimatorJSON, type Walk, type WalkScorer } from '../../estimator.ts';
import { Rng } from '../../rng.ts';
import type { Matrix } from '../../types.ts';
import { TreeBuilder, forestStateFromJSON, forestStateToJSON, meanTreeOutputs, treeWalkSums, type ForestState, type Tree, type TreeWalkCache } from './tree.ts';

export interface ExtraTreesParams {
  trees: number;
  /** Non-constant features tried per split, as a fraction of the encoded columns (scikit-learn's float max_features: floor, at least one). */
  maxFeatures: number;
  /** Minimum training rows on each side of a split. */
  minLeaf: number;
  maxDepth: number;
  /**
   * Rows each tree grows on at most, drawn without replacement per tree. Fully grown trees have about
   * a leaf per row or two, so this bounds the model's size and scoring cost on large training sets.
   */
  maxSamples: number;
  seed: number;
}

const DEFAULTS: ExtraTreesParams = { trees: 200, maxFeatures: 0.2, minLeaf: 1, maxDepth: 100, maxSamples: 2000, seed: 0 };

/**
 * Extremely randomized trees (Geurts, Ernst & Wehenkel 2006), scikit-learn's ExtraTreesClassifier:
 * every tree sees all rows (no bootstrap); at each node a few features are drawn and each gets one
 * threshold uniform between its smallest and largest value in the node; the best of those cuts by
 * Gini wins. Grown deep and averaged, the trees act like an adaptive neighbourhood vote, which is why
 * they rank the shop's customers about as well as KNN while weighing features by how much they split.
 * Thresholds are raw encoded values, so no binning is needed.
 */
export class ExtraTrees implements Estimator<Matrix>, WalkScorer {
  readonly kind = 'extra';
  readonly params: Readonly<ExtraTreesParams>;
  private state: ForestState | null = null;
  private walkCache: TreeWalkCache = new WeakMap();

  constructor(params: Partial<ExtraTreesParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!Number.isInteger(this.params.trees) || this.params.trees < 1) throw new Error('extra: trees must be a positive integer');
    if (!(this.params.maxFeatures > 0 && this.params.maxFeatures <= 1)) throw new Error('extra: maxFeatures must be in (0, 1]');
    if (!Number.isInteger(this.params.minLeaf) || this.params.minLeaf < 1) throw new Error('extra: minLeaf must be a positive integer');
  }

  clone(params: Partial<ExtraTreesParams> = {}): ExtraTrees {
    return new ExtraTrees({ ...this.params, ...params });
  }

  fit(X: Matrix, y: Uint8Array): this {
    checkBinary(y, X.rows);
    const { rows: n, cols } = X;
    // Column-major copy: each candidate split scans one feature over the node's rows.
    const colMajor = new Float64Array(n * cols);
    for (let i = 0; i < n; i++) for (let f = 0; f < cols; f++) colMajor[f * n + i] = X.data[i * cols + f];
    const rng = new Rng(this.params.seed);
    const mtry = Math.max(1, Math.floor(this.params.maxFeatures * cols));
    const trees: Tree[] = [];
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    for (let t = 0; t < this.params.trees; t++) {
      const rows = n > this.params.maxSamples ? Uint32Array.from(rng.shuffle(all.slice()).subarray(0, this.params.maxSamples)) : all.slice();
      trees.push(growExtraTree(colMajor, n, cols, y, rows, mtry, this.params, rng));
    }
    this.state = { cols, trees };
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const { cols, trees } = assertFitted(this.state, this.kind);
    return meanTreeOutputs(trees, cols, X, this.kind);
  }


  scoreWalks(x: Float64Array, starts: Matrix, walks: readonly Walk[]): Float64Array {
    const { cols, trees } = assertFitted(this.state, this.kind);
    if (x.length !== cols || starts.cols !== cols) throw new Error(`extra: expected ${cols} columns, got ${x.length}`);
    return treeWalkSums(trees, 1 / trees.length, x, starts, walks, this.walkCache);
  }

  toJSON(): EstimatorJSON {
    return { kind: this.kind, params: { ...this.params }, state: forestStateToJSON(assertFitted(this.state, this.kind)) };
  }

  static fromJSON(json: EstimatorJSON): ExtraTrees {
    const m = new ExtraTrees(json.params as Partial<ExtraTreesParams>);
    m.state = forestStateFromJSON(json.state, 'extra');
    return m;
  }
}

registerEstimator('extra', ExtraTrees.fromJSON);

/** The shortest decimal in [lo, hi): any threshold there splits the node's rows the same way, and short ones keep the model text small. */
function shortest(lo: number, hi: number, t: number): number {
  for (let digits = 1; digits < 17; digits++) {
    const v = Number(t.toPrecision(digits));
    if (v >= lo && v < hi) return v;
  }
  return t;
}

function growExtraTree(
  col: Float64Array,
  n: number,
  cols: number,
  y: Uint8Array,
  idx: Uint32Array,
  mtry: number,
  prm: Readonly<ExtraTreesParams>,
  rng: Rng,
): Tree {
  const feats = Int32Array.from({ length: cols }, (_, f) => f);
  const tree = new TreeBuilder(idx);
  while (tree.pending.length) {
    const at = tree.pending.pop()!;
    const { node, start, end, depth } = at;
    const count = end - start;
    // The parent's split counted the positives on each side; only the root counts its own.
    let pos = at.positives;
    if (pos < 0) {
      pos = 0;
      for (let k = start; k < end; k++) pos += y[idx[k]];
    }
    if (pos === 0 || pos === count || depth >= prm.maxDepth || count < 2 * prm.minLeaf) {
      // Only leaves carry a value; inner nodes keep 0 and cost one character in the model text.
      tree.setValue(node, pos / count);
      continue;
    }

    // Gini impurity decrease is maximal where Σ over children of pos²/size is. As in scikit-learn, the
    // best valid cut is taken even when it gains nothing: with few features tried, refusing it would
    // leave mixed leaves that one more random cut would have separated.
    let bestScore = -Infinity;
    let bestF = -1;
    let bestT = 0;
    let bestLp = 0;
    // The node's nearest values on either side of the best cut: any threshold between them splits alike.
    let bestBelow = 0;
    let bestAbove = 0;
    let tried = 0;
    for (let drawn = 0; drawn < cols && tried < mtry; drawn++) {
      const r = drawn + rng.int(cols - drawn);
      const f = feats[r];
      feats[r] = feats[drawn];
      feats[drawn] = f;
      const base = f * n;
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = start; k < end; k++) {
        const v = col[base + idx[k]];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      // Constant in this node: scikit-learn does not count it against max_features either.
      if (!(hi > lo)) continue;
      tried++;
      let t = lo + rng.next() * (hi - lo);
      if (t >= hi) t = lo;
      let lc = 0;
      let lp = 0;
      let below = -Infinity;
      let above = Infinity;
      for (let k = start; k < end; k++) {
        const i = idx[k];
        const v = col[base + i];
        if (v <= t) {
          lc++;
          lp += y[i];
          if (v > below) below = v;
        } else if (v < above) above = v;
      }
      const rc = count - lc;
      if (lc < prm.minLeaf || rc < prm.minLeaf) continue;
      const rp = pos - lp;
      const score = (lp * lp + (lc - lp) * (lc - lp)) / lc + (rp * rp + (rc - rp) * (rc - rp)) / rc;
      if (score > bestScore) {
        bestScore = score;
        bestF = f;
        bestT = t;
        bestLp = lp;
        bestBelow = below;
        bestAbove = above;
      }
    }
    if (bestF < 0) {
      tree.setValue(node, pos / count);
      continue;
    }
    const t = shortest(bestBelow, bestAbove, bestT);
    tree.split(at, bestF, t, col, bestF * n, t, [bestLp, pos - bestLp]);
  }
  return tree.build();
}
