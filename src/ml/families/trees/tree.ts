import { numberArray } from '../../estimator.ts';
import type { Matrix } from '../../types.ts';

/** A binary tree in flat arrays; `feature[n] < 0` marks a leaf whose output is `value[n]`. */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export function treeOutput(t: Tree, data: Float64Array, offset: number): number {
  let n = 0;
  while (t.feature[n] >= 0) n = data[offset + t.feature[n]] <= t.threshold[n] ? t.left[n] : t.right[n];
  return t.value[n];
}

/** Adds `scale ×` the tree's output for every row of X into `out`. */
export function addTreeOutputs(t: Tree, X: Matrix, out: Float64Array, scale: number): void {
  for (let i = 0; i < X.rows; i++) out[i] += scale * treeOutput(t, X.data, i * X.cols);
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
