import type { Rng } from '../../rng.ts';
import type { Binned } from './binning.ts';
import type { Tree } from './tree.ts';

/**
 * How a node is scored. 'gini': s1 = sample weight, s2 = weight·label, leaf = weighted positive share.
 * 'newton': s1 = gradient, s2 = hessian of the log-loss, leaf = −G/(H+λ) (XGBoost's second-order step).
 */
export type Criterion = { kind: 'gini' } | { kind: 'newton'; lambda: number; minChildWeight: number };

export interface GrowOptions {
  criterion: Criterion;
  maxDepth: number;
  /** Minimum training rows on each side of a split. */
  minLeaf: number;
  /** Features drawn (without replacement) per node; ≥ cols means all. */
  maxFeatures: number;
  rng: Rng;
}

export interface Grown {
  tree: Tree;
}

/** Depth-first growth over histograms of the binned matrix; `rows` lists the distinct training rows (weights go in s1/s2). */
export function growTree(B: Binned, rows: Uint32Array, s1: Float64Array, s2: Float64Array, opt: GrowOptions): Grown {
  const n = B.rows;
  const idx = rows.slice();
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const maxBins = 256;
  const h1 = new Float64Array(maxBins);
  const h2 = new Float64Array(maxBins);
  const hc = new Int32Array(maxBins);
  const feats = Int32Array.from({ length: B.cols }, (_, f) => f);
  const crit = opt.criterion;

  const gini = crit.kind === 'gini';
  const lambda = crit.kind === 'newton' ? crit.lambda : 0;
  const minChild = crit.kind === 'newton' ? crit.minChildWeight : 0;
  const leafValue = (a: number, b: number): number => (gini ? (a > 0 ? b / a : 0) : -a / (b + lambda));

  const newNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(0);
    return feature.length - 1;
  };

  const stack: { node: number; start: number; end: number; depth: number }[] = [{ node: newNode(), start: 0, end: idx.length, depth: 0 }];
  while (stack.length) {
    const { node, start, end, depth } = stack.pop()!;
    let a = 0;
    let b = 0;
    for (let k = start; k < end; k++) (a += s1[idx[k]]), (b += s2[idx[k]]);
    value[node] = leafValue(a, b);
    const count = end - start;
    if (depth >= opt.maxDepth || count < 2 * opt.minLeaf) continue;
    if (gini && (b <= 0 || b >= a)) continue;
    // Node "score", larger is better: a split's gain is score(L) + score(R) − score(parent).
    const parentScore = gini ? -(2 * b * (a - b)) / a : (a * a) / (b + lambda);

    let bestGain = 1e-12;
    let bestF = -1;
    let bestBin = -1;
    const m = Math.min(opt.maxFeatures, B.cols);
    for (let t = 0; t < m; t++) {
      // Partial Fisher–Yates: the first m entries of feats become this node's random feature subset.
      if (m < B.cols) {
        const r = t + opt.rng.int(B.cols - t);
        const tmp = feats[t];
        feats[t] = feats[r];
        feats[r] = tmp;
      }
      const f = feats[t];
      const nb = B.edges[f].length + 1;
      if (nb < 2) continue;
      h1.fill(0, 0, nb);
      h2.fill(0, 0, nb);
      hc.fill(0, 0, nb);
      const base = f * n;
      for (let k = start; k < end; k++) {
        const i = idx[k];
        const bin = B.codes[base + i];
        h1[bin] += s1[i];
        h2[bin] += s2[i];
        hc[bin]++;
      }
      let la = 0;
      let lb = 0;
      let lc = 0;
      for (let bin = 0; bin < nb - 1; bin++) {
        la += h1[bin];
        lb += h2[bin];
        lc += hc[bin];
        if (lc < opt.minLeaf) continue;
        if (count - lc < opt.minLeaf) break;
        let gain: number;
        if (gini) {
          const ra = a - la;
          const rb = b - lb;
          if (la <= 0 || ra <= 0) continue;
          gain = -(2 * lb * (la - lb)) / la - (2 * rb * (ra - rb)) / ra - parentScore;
        } else {
          if (lb < minChild || b - lb < minChild) continue;
          gain = (la * la) / (lb + lambda) + ((a - la) * (a - la)) / (b - lb + lambda) - parentScore;
        }
        if (gain > bestGain) {
          bestGain = gain;
          bestF = f;
          bestBin = bin;
        }
      }
    }
    if (bestF < 0) continue;

    // Partition [start, end) so rows going left come first.
    const base = bestF * n;
    let lo = start;
    let hi = end - 1;
    while (lo <= hi) {
      if (B.codes[base + idx[lo]] <= bestBin) lo++;
      else {
        const tmp = idx[lo];
        idx[lo] = idx[hi];
        idx[hi] = tmp;
        hi--;
      }
    }
    feature[node] = bestF;
    threshold[node] = B.edges[bestF][bestBin];
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push({ node: r, start: lo, end, depth: depth + 1 }, { node: l, start, end: lo, depth: depth + 1 });
  }

  return {
    tree: {
      feature: Int32Array.from(feature),
      threshold: Float64Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
    },
  };
}
