import type { Rng } from '../../rng.ts';
import type { Binned } from './binning.ts';
import { TreeBuilder, type Tree } from './tree.ts';

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
  const tree = new TreeBuilder(rows.slice());
  const idx = tree.idx;
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

  while (tree.pending.length) {
    const at = tree.pending.pop()!;
    const { node, start, end, depth } = at;
    let a = 0;
    let b = 0;
    for (let k = start; k < end; k++) (a += s1[idx[k]]), (b += s2[idx[k]]);
    tree.setValue(node, leafValue(a, b));
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

    const base = bestF * n;
    tree.split(at, bestF, B.edges[bestF][bestBin], B.codes, base, bestBin);
  }

  return { tree: tree.build() };
}
