import { assertFitted, checkBinary, numberArray, registerEstimator, type Estimator, type EstimatorJSON, type Walk, type WalkScorer } from '../estimator.ts';
import { takeRows } from '../matrix.ts';
import { byColumn, squaredDistances, walkDistances } from './walk-distances.ts';
import { stratifiedSample } from '../splits.ts';
import type { Matrix } from '../types.ts';

export interface KnnParams {
  k: number;
  /** 'uniform': vote fraction; 'distance': votes weighted by 1/distance, as scikit-learn's weights='distance'. */
  weights: 'uniform' | 'distance';
  /** Reference rows kept at most; larger training sets keep a stratified sample so scoring cost stays bounded. */
  maxReference: number;
  /**
   * A reference row at distance 0: 'skip' treats it as the query itself (the default, see the class
   * comment); 'vote' lets it take all the weight, as scikit-learn does — kept for comparisons only.
   */
  exactMatch: 'skip' | 'vote';
  seed: number;
}

const DEFAULTS: KnnParams = { k: 25, weights: 'distance', maxReference: 5000, exactMatch: 'skip', seed: 0 };

interface State {
  ref: Matrix;
  labels: Uint8Array;
}

/**
 * k-nearest neighbours by exhaustive search with a bounded max-heap. A reference row at distance 0 is
 * taken to be the query itself and skipped: scoring the customers the model was trained on then gives
 * leave-one-out probabilities instead of echoing their own labels (scikit-learn would return exactly 0
 * or 1 there with distance weights), and a new customer identical on all features to a known one is
 * vanishingly rare. Measured against ml-knn's kd-tree (bench/ml.ts): with 23 encoded dimensions the
 * tree visits most points anyway and is an order of magnitude slower, and ml-knn's own predict returns
 * only the majority label, not probabilities.
 */
export class KNearestNeighbors implements Estimator<Matrix>, WalkScorer {
  readonly kind = 'knn';
  readonly params: Readonly<KnnParams>;
  private state: State | null = null;
  /** Squared distances from each start row of a walk batch to every reference row, kept per start matrix (an explainer's background). */
  private startDistances = new WeakMap<Matrix, Float64Array>();
  /** The reference rows column by column, for walks. */
  private columns: Float64Array | null = null;

  constructor(params: Partial<KnnParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
    if (!Number.isInteger(this.params.k) || this.params.k < 1) throw new Error(`knn: k must be a positive integer, got ${this.params.k}`);
  }

  clone(params: Partial<KnnParams> = {}): KNearestNeighbors {
    return new KNearestNeighbors({ ...this.params, ...params });
  }

  fit(X: Matrix, y: Uint8Array): this {
    checkBinary(y, X.rows);
    this.columns = null;
    this.startDistances = new WeakMap();
    if (X.rows > this.params.maxReference) {
      const idx = stratifiedSample(y, this.params.maxReference, this.params.seed);
      this.state = { ref: takeRows(X, idx), labels: Uint8Array.from(idx, (i) => y[i]) };
    } else {
      this.state = { ref: { rows: X.rows, cols: X.cols, data: X.data.slice() }, labels: y.slice() };
    }
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const { ref, labels } = assertFitted(this.state, this.kind);
    if (X.cols !== ref.cols) throw new Error(`knn: expected ${ref.cols} columns, got ${X.cols}`);
    const k = Math.min(this.params.k, ref.rows);
    const p = X.cols;
    // Columns in decreasing spread, so partial distances cross the bound (and stop) as early as possible.
    const order = spreadOrder(ref);
    const r = permuteColumns(ref, order).data;
    const q = permuteColumns(X, order).data;
    const heapD = new Float64Array(k);
    const heapI = new Int32Array(k);
    const out = new Float64Array(X.rows);
    const skipExact = this.params.exactMatch === 'skip';
    for (let i = 0; i < X.rows; i++) {
      let size = 0;
      let exact = 0;
      let exactPos = 0;
      const qo = i * p;
      for (let j = 0; j < ref.rows; j++) {
        const ro = j * p;
        // Partial distances: once the sum passes the k-th best so far the row cannot enter the heap.
        const bound = size < k ? Infinity : heapD[0];
        let d = 0;
        let c = 0;
        for (; c + 4 <= p; c += 4) {
          const t0 = q[qo + c] - r[ro + c];
          const t1 = q[qo + c + 1] - r[ro + c + 1];
          const t2 = q[qo + c + 2] - r[ro + c + 2];
          const t3 = q[qo + c + 3] - r[ro + c + 3];
          d += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
          if (d >= bound) break;
        }
        if (d < bound) {
          for (; c < p; c++) {
            const t = q[qo + c] - r[ro + c];
            d += t * t;
          }
        }
        if (d === 0) {
          exact++;
          exactPos += labels[j];
          continue;
        }
        if (size < k) {
          heapPush(heapD, heapI, size++, d, j);
        } else if (d < heapD[0]) {
          heapReplaceTop(heapD, heapI, size, d, j);
        }
      }
      out[i] = !skipExact && exact > 0 && this.params.weights === 'distance' ? exactPos / exact : this.vote(heapD, heapI, size, labels);
    }
    return out;
  }

  private vote(d2: Float64Array, idx: Int32Array, size: number, labels: Uint8Array): number {
    if (size === 0) return labels.reduce((a, b) => a + b, 0) / labels.length;
    if (this.params.weights === 'uniform') {
      let pos = 0;
      for (let t = 0; t < size; t++) pos += labels[idx[t]];
      return pos / size;
    }
    let w = 0;
    let wp = 0;
    for (let t = 0; t < size; t++) {
      const v = 1 / Math.sqrt(d2[t]);
      w += v;
      wp += v * labels[idx[t]];
    }
    return wp / w;
  }

  /**
   * Walks follow the distance to every reference row step by step (walk-distances.ts) and select the k
   * nearest again. Distances that come out near zero are recomputed exactly, so an exact twin is
   * skipped (or votes) just as in predictProba.
   */
  scoreWalks(x: Float64Array, starts: Matrix, walks: readonly Walk[]): Float64Array {
    const { ref, labels } = assertFitted(this.state, this.kind);
    const n = ref.rows;
    const p = ref.cols;
    if (x.length !== p || starts.cols !== p) throw new Error(`knn: expected ${p} columns, got ${x.length}`);
    const r = ref.data;
    this.columns ??= byColumn(ref);
    let startD = this.startDistances.get(starts);
    if (!startD) this.startDistances.set(starts, (startD = squaredDistances(starts, ref)));
    const k = Math.min(this.params.k, n);
    const skipExact = this.params.exactMatch === 'skip';
    const heapD = new Float64Array(k);
    const heapI = new Int32Array(k);
    const cand = new Int32Array(n);
    let prev = 0;
    return walkDistances(x, starts, walks, n, this.columns, startD, (d2, z, first) => {
      // The k rows nearest before a step are still there after it, so the farthest of them, at its
      // new distance, bounds the new k-th nearest distance: only rows within it enter the heap. A
      // walk's first step, or one where exact twins thinned those k out, scans every row.
      if (first) prev = 0;
      let bound = -Infinity;
      for (let t = 0; t < prev; t++) bound = Math.max(bound, d2[heapI[t]]);
      if (prev < k) bound = Infinity;
      for (;;) {
        let m = 0;
        // Branch-free: most rows fall outside the bound, unpredictably to the CPU.
        for (let j = 0; j < n; j++) {
          cand[m] = j;
          m += +(d2[j] <= bound);
        }
        let size = 0;
        let exact = 0;
        let exactPos = 0;
        for (let q = 0; q < m; q++) {
          const j = cand[q];
          let d = d2[j];
          if (d < 1e-9) {
            d = 0;
            for (let c = 0; c < p; c++) d += (z[c] - r[j * p + c]) ** 2;
            if (d === 0) {
              exact++;
              exactPos += labels[j];
              continue;
            }
          }
          if (size < k) heapPush(heapD, heapI, size++, d, j);
          else if (d < heapD[0]) heapReplaceTop(heapD, heapI, size, d, j);
        }
        if (size < k && bound !== Infinity) {
          bound = Infinity;
          continue;
        }
        prev = size;
        return !skipExact && exact > 0 && this.params.weights === 'distance' ? exactPos / exact : this.vote(heapD, heapI, size, labels);
      }
    });
  }

  toJSON(): EstimatorJSON {
    const { ref, labels } = assertFitted(this.state, this.kind);
    return { kind: this.kind, params: { ...this.params }, state: { cols: ref.cols, ref: Array.from(ref.data), labels: Array.from(labels) } };
  }

  static fromJSON(json: EstimatorJSON): KNearestNeighbors {
    const st = json.state as { cols?: unknown; ref?: unknown; labels?: unknown };
    const m = new KNearestNeighbors(json.params as Partial<KnnParams>);
    if (!Number.isInteger(st?.cols) || (st.cols as number) < 1) throw new Error('corrupted knn state');
    const data = numberArray(st.ref, 'knn reference rows');
    const labels = numberArray(st.labels, 'knn labels', data.length / (st.cols as number));
    if (!labels.every((v) => v === 0 || v === 1)) throw new Error('corrupted knn labels');
    m.state = { ref: { rows: labels.length, cols: st.cols as number, data }, labels: Uint8Array.from(labels) };
    return m;
  }
}

registerEstimator('knn', KNearestNeighbors.fromJSON);

/** Max-heap on distance, so the root is the farthest of the k kept so far. */
function heapPush(d: Float64Array, ix: Int32Array, size: number, v: number, j: number): void {
  let c = size;
  while (c > 0) {
    const parent = (c - 1) >> 1;
    if (d[parent] >= v) break;
    d[c] = d[parent];
    ix[c] = ix[parent];
    c = parent;
  }
  d[c] = v;
  ix[c] = j;
}

function heapReplaceTop(d: Float64Array, ix: Int32Array, size: number, v: number, j: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const m = r < size && d[r] > d[l] ? r : l;
    if (d[m] <= v) break;
    d[c] = d[m];
    ix[c] = ix[m];
    c = m;
  }
  d[c] = v;
  ix[c] = j;
}

function spreadOrder(m: Matrix): Int32Array {
  const spread = new Float64Array(m.cols);
  for (let c = 0; c < m.cols; c++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < m.rows; i++) {
      const v = m.data[i * m.cols + c];
      s += v;
      s2 += v * v;
    }
    spread[c] = s2 / m.rows - (s / m.rows) ** 2;
  }
  return Int32Array.from({ length: m.cols }, (_, c) => c).sort((a, b) => spread[b] - spread[a] || a - b);
}

function permuteColumns(m: Matrix, order: Int32Array): Matrix {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let c = 0; c < m.cols; c++) out[i * m.cols + c] = m.data[i * m.cols + order[c]];
  return { rows: m.rows, cols: m.cols, data: out };
}
