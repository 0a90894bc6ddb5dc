import { numberArray, type Walk } from '../../estimator.ts';
import type { Matrix } from '../../types.ts';

/** A binary tree in flat arrays; `feature[n] < 0` marks a leaf whose output is `value[n]`. */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** A node waiting to be split: rows idx[start, end) reach it; `positives` is what the grower said of them when splitting the parent. */
export interface Pending {
  node: number;
  start: number;
  end: number;
  depth: number;
  positives: number;
}

/**
 * Grows a tree depth first in parallel arrays: `split` turns a pending node into an inner node, puts
 * the rows going left first in `idx`, and queues both children; `build` freezes the arrays.
 */
export class TreeBuilder {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly value: number[] = [];
  /** Nodes still to be grown, last in first out; starts with the root over every row. */
  readonly pending: Pending[];

  constructor(readonly idx: Uint32Array) {
    this.pending = [{ node: this.add(), start: 0, end: idx.length, depth: 0, positives: -1 }];
  }

  private add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(0);
    return this.feature.length - 1;
  }

  setValue(node: number, v: number): void {
    this.value[node] = v;
  }

  /**
   * Rows with `values[offset + row] <= cut` go left (`cut` is the threshold itself on raw values, the
   * bin on binned ones); `positives` of each side are handed on to the children's `Pending`.
   */
  split(at: Pending, feature: number, threshold: number, values: ArrayLike<number>, offset: number, cut: number, positives: [number, number] = [-1, -1]): void {
    const idx = this.idx;
    let lo = at.start;
    let hi = at.end - 1;
    while (lo <= hi) {
      if (values[offset + idx[lo]] <= cut) lo++;
      else {
        const tmp = idx[lo];
        idx[lo] = idx[hi];
        idx[hi] = tmp;
        hi--;
      }
    }
    this.feature[at.node] = feature;
    this.threshold[at.node] = threshold;
    const l = this.add();
    const r = this.add();
    this.left[at.node] = l;
    this.right[at.node] = r;
    this.pending.push(
      { node: r, start: lo, end: at.end, depth: at.depth + 1, positives: positives[1] },
      { node: l, start: at.start, end: lo, depth: at.depth + 1, positives: positives[0] },
    );
  }

  build(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
    };
  }
}

export function treeOutput(t: Tree, data: Float64Array, offset: number): number {
  const { feature, threshold, left, right } = t;
  let n = 0;
  // Branch-free child choice: which way a row goes is a coin flip to the CPU's branch predictor.
  for (let f = feature[0]; f >= 0; f = feature[n]) n = left[n] + (right[n] - left[n]) * +(data[offset + f] > threshold[n]);
  return t.value[n];
}

/** Adds `scale ×` the tree's output for every row of X into `out`. */
export function addTreeOutputs(t: Tree, X: Matrix, out: Float64Array, scale: number): void {
  for (let i = 0; i < X.rows; i++) out[i] += scale * treeOutput(t, X.data, i * X.cols);
}

/** Mean output of `trees` for every row of X: a forest's probability. */
export function meanTreeOutputs(trees: readonly Tree[], cols: number, X: Matrix, kind: string): Float64Array {
  if (X.cols !== cols) throw new Error(`${kind}: expected ${cols} columns, got ${X.cols}`);
  const out = new Float64Array(X.rows);
  for (const t of trees) addTreeOutputs(t, X, out, 1 / trees.length);
  return out;
}

/** The state of a forest of averaged trees, as serialized. */
export interface ForestState {
  cols: number;
  trees: Tree[];
}

export function forestStateToJSON(s: ForestState): unknown {
  return { cols: s.cols, trees: s.trees.map(treeToJSON) };
}

export function forestStateFromJSON(state: unknown, kind: string): ForestState {
  const st = state as { cols?: unknown; trees?: unknown };
  if (!Number.isInteger(st?.cols) || !Array.isArray(st.trees) || st.trees.length === 0) throw new Error(`corrupted ${kind} state`);
  return { cols: st.cols as number, trees: st.trees.map((t) => treeFromJSON(t, st.cols as number)) };
}

export interface TreeJSON {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export function treeToJSON(t: Tree): TreeJSON {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    left: Array.from(t.left),
    right: Array.from(t.right),
    value: Array.from(t.value),
  };
}

/** Rebuilds a tree and checks that every child link points forward inside it, so traversal always ends. */
export function treeFromJSON(j: unknown, cols: number): Tree {
  const o = j as Partial<TreeJSON>;
  const feature = numberArray(o?.feature, 'tree');
  const n = feature.length;
  const t: Tree = {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(numberArray(o?.threshold, 'tree', n)),
    left: Int32Array.from(numberArray(o?.left, 'tree', n)),
    right: Int32Array.from(numberArray(o?.right, 'tree', n)),
    value: numberArray(o?.value, 'tree', n),
  };
  if (n === 0) throw new Error('corrupted tree: empty');
  for (let k = 0; k < n; k++) {
    if (t.feature[k] < 0) continue;
    if (t.feature[k] >= cols || !(t.left[k] > k && t.left[k] < n && t.right[k] > k && t.right[k] < n)) {
      throw new Error('corrupted tree: bad node link');
    }
  }
  return t;
}

/** All trees of an ensemble in one set of arrays (node ids offset per tree), so a walk touches no objects. */
interface Flat {
  /** Longest root-to-leaf path, in edges. */
  depth: number;
  root: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

function flatten(trees: readonly Tree[]): Flat {
  const total = trees.reduce((s, t) => s + t.feature.length, 0);
  const f: Flat = {
    depth: 0,
    root: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
  };
  let at = 0;
  trees.forEach((t, k) => {
    f.root[k] = at;
    f.feature.set(t.feature, at);
    f.threshold.set(t.threshold, at);
    f.value.set(t.value, at);
    const depth = new Int32Array(t.feature.length);
    for (let n = 0; n < t.feature.length; n++) {
      f.left[at + n] = t.left[n] + at;
      f.right[at + n] = t.right[n] + at;
      // Children always follow their parent (treeFromJSON checks it), so one forward pass finds depths.
      if (t.feature[n] >= 0) depth[t.left[n]] = depth[t.right[n]] = depth[n] + 1;
      else f.depth = Math.max(f.depth, depth[n]);
    }
    at += t.feature.length;
  });
  return f;
}

/** Flat forms of tree arrays, built on a walk batch's first use. */
export type TreeWalkCache = WeakMap<readonly Tree[], Flat>;

/**
 * Σ scale·(leaf value) over the trees for every inner row of the walks (estimator.ts `scoreWalks`).
 * Each tree is traversed once per walk over the walk's time line: the row after τ steps holds x's
 * value in column c from the step that switches c on, the start row's before it. A node whose column
 * sends x and the start row the same way passes its whole time interval to one child; otherwise the
 * interval splits at that column's switching step. Leaves add their value over their interval through
 * a difference array, so a tree costs one visit per distinct root-to-leaf piece of the walk, not one
 * descent per step.
 */
export function treeWalkSums(trees: readonly Tree[], scale: number, x: Float64Array, starts: Matrix, walks: readonly Walk[], cache: TreeWalkCache): Float64Array {
  let f = cache.get(trees);
  if (!f) cache.set(trees, (f = flatten(trees)));
  const { root, feature, threshold, left, right, value } = f;
  const p = starts.cols;
  const switchAt = new Int32Array(p);
  const maxSteps = walks.reduce((m, w) => Math.max(m, w.steps.length), 0);
  const diff = new Float64Array(maxSteps + 1);
  // Depth-first with an explicit stack of (node, from, to): at most one pending sibling per level.
  const stack = new Int32Array(3 * 2 * (f.depth + 1));
  const out = new Float64Array(walks.reduce((s, w) => s + Math.max(0, w.steps.length - 1), 0));
  let o = 0;
  for (const w of walks) {
    const L = w.steps.length;
    if (L < 2) continue;
    const b0 = w.start * p;
    const b = starts.data;
    // Columns no step switches keep the start's value throughout.
    switchAt.fill(L + 1);
    w.steps.forEach((cols, s) => cols.forEach((c) => (switchAt[c] = s + 1)));
    diff.fill(0, 0, L + 1);
    for (let t = 0; t < root.length; t++) {
      let top = 0;
      stack[top++] = root[t];
      stack[top++] = 1;
      stack[top++] = L;
      while (top > 0) {
        let hi = stack[--top];
        let lo = stack[--top];
        let n = stack[--top];
        // Follow one piece down; only a split into two pieces goes through the stack.
        for (;;) {
          const c = feature[n];
          if (c < 0) {
            diff[lo] += scale * value[n];
            diff[hi] -= scale * value[n];
            break;
          }
          // Branch-free child choice: the two comparisons are coin flips to the CPU's predictor.
          const thr = threshold[n];
          const l = left[n];
          const gap = right[n] - l;
          const startRight = +(b[b0 + c] > thr);
          const xRight = +(x[c] > thr);
          const byX = l + gap * xRight;
          if (startRight === xRight) {
            n = byX;
            continue;
          }
          const byStart = l + gap * startRight;
          const s = switchAt[c];
          const startUntil = Math.min(hi, s);
          const xFrom = Math.max(lo, s);
          if (lo < startUntil && xFrom < hi) {
            stack[top++] = byX;
            stack[top++] = xFrom;
            stack[top++] = hi;
          }
          if (lo < startUntil) {
            n = byStart;
            hi = startUntil;
          } else {
            n = byX;
            lo = xFrom;
          }
        }
      }
    }
    let acc = 0;
    for (let tau = 1; tau < L; tau++) out[o++] = acc += diff[tau];
  }
  return out;
}
