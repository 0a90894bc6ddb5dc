import type { Matrix } from '../../types.ts';

export interface SmoResult {
  /** α_i·y_i for every training row (0 for non-support vectors). */
  coef: Float64Array;
  rho: number;
  iterations: number;
}

const TAU = 1e-12;

/** RBF Gram matrix in single precision, as libsvm's kernel cache stores it (Qfloat = float). */
export function rbfGram(X: Matrix, gamma: number): Float32Array {
  const n = X.rows;
  const p = X.cols;
  const d = X.data;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < p; c++) s += d[i * p + c] ** 2;
    norms[i] = s;
  }
  const K = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = 1;
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let c = 0; c < p; c++) dot += d[i * p + c] * d[j * p + c];
      const v = Math.exp(-gamma * Math.max(0, norms[i] + norms[j] - 2 * dot));
      K[i * n + j] = v;
      K[j * n + i] = v;
    }
  }
  return K;
}

/**
 * C-SVC dual by sequential minimal optimisation, a transcription of libsvm's Solver (second-order
 * working-set selection of Fan, Chen & Lin 2005; same stopping rule ε and same ρ), without shrinking
 * and with the whole Gram matrix in memory — which is what makes it faster than libsvm-js/asm at the
 * sizes searched here. Labels are 0/1; class 1 is libsvm's +1.
 */
export function solveCsvc(K: Float32Array, y01: Uint8Array, C: number, eps = 1e-3, maxIter = 0): SmoResult {
  const n = y01.length;
  const y = Int8Array.from(y01, (v) => (v === 1 ? 1 : -1));
  const alpha = new Float64Array(n);
  const G = new Float64Array(n).fill(-1);
  const limit = maxIter > 0 ? maxIter : Math.max(10_000_000, 100 * n);
  let iter = 0;
  for (; iter < limit; iter++) {
    let gmax = -Infinity;
    let gmax2 = -Infinity;
    let i = -1;
    for (let t = 0; t < n; t++) {
      if (y[t] === 1) {
        if (alpha[t] < C && -G[t] >= gmax) (gmax = -G[t]), (i = t);
      } else if (alpha[t] > 0 && G[t] >= gmax) (gmax = G[t]), (i = t);
    }
    if (i < 0) break;
    const Ki = i * n;
    let j = -1;
    let objMin = Infinity;
    for (let t = 0; t < n; t++) {
      if (y[t] === 1) {
        if (alpha[t] > 0) {
          const gd = gmax + G[t];
          if (G[t] >= gmax2) gmax2 = G[t];
          if (gd > 0) {
            const q = 2 - 2 * K[Ki + t];
            const obj = -(gd * gd) / (q > 0 ? q : TAU);
            if (obj <= objMin) (j = t), (objMin = obj);
          }
        }
      } else if (alpha[t] < C) {
        const gd = gmax - G[t];
        if (-G[t] >= gmax2) gmax2 = -G[t];
        if (gd > 0) {
          const q = 2 - 2 * K[Ki + t];
          const obj = -(gd * gd) / (q > 0 ? q : TAU);
          if (obj <= objMin) (j = t), (objMin = obj);
        }
      }
    }
    if (gmax + gmax2 < eps || j < 0) break;

    const Kj = j * n;
    const yi = y[i];
    const yj = y[j];
    const Qij = yi * yj * K[Ki + j];
    const oldI = alpha[i];
    const oldJ = alpha[j];
    let ai = oldI;
    let aj = oldJ;
    if (yi !== yj) {
      let q = 2 + 2 * Qij;
      if (q <= 0) q = TAU;
      const delta = (-G[i] - G[j]) / q;
      const diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) (aj = 0), (ai = diff);
      } else if (ai < 0) (ai = 0), (aj = -diff);
      if (diff > 0) {
        if (ai > C) (ai = C), (aj = C - diff);
      } else if (aj > C) (aj = C), (ai = C + diff);
    } else {
      let q = 2 - 2 * Qij;
      if (q <= 0) q = TAU;
      const delta = (G[i] - G[j]) / q;
      const sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > C) {
        if (ai > C) (ai = C), (aj = sum - C);
      } else if (aj < 0) (aj = 0), (ai = sum);
      if (sum > C) {
        if (aj > C) (aj = C), (ai = sum - C);
      } else if (ai < 0) (ai = 0), (aj = sum);
    }
    alpha[i] = ai;
    alpha[j] = aj;
    const di = (ai - oldI) * yi;
    const dj = (aj - oldJ) * yj;
    for (let t = 0; t < n; t++) G[t] += y[t] * (K[Ki + t] * di + K[Kj + t] * dj);
  }

  let ub = Infinity;
  let lb = -Infinity;
  let free = 0;
  let sumFree = 0;
  for (let t = 0; t < n; t++) {
    const yG = y[t] * G[t];
    if (alpha[t] >= C) {
      if (y[t] === -1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else if (alpha[t] <= 0) {
      if (y[t] === 1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else {
      free++;
      sumFree += yG;
    }
  }
  const rho = free > 0 ? sumFree / free : (ub + lb) / 2;
  return { coef: Float64Array.from(alpha, (a, t) => a * y[t]), rho, iterations: iter };
}

/** The solution in libsvm's model-file format, so both solvers serialize the same way. */
export function toLibsvmText(X: Matrix, gamma: number, sol: SmoResult): string {
  const sv: number[] = [];
  let pos = 0;
  for (let t = 0; t < sol.coef.length; t++) {
    if (sol.coef[t] !== 0) {
      sv.push(t);
      if (sol.coef[t] > 0) pos++;
    }
  }
  // libsvm lists the +1 class's support vectors first; the order does not change the decision value.
  sv.sort((a, b) => Number(sol.coef[b] < 0) - Number(sol.coef[a] < 0) || a - b);
  const lines = [
    'svm_type c_svc',
    'kernel_type rbf',
    `gamma ${gamma}`,
    'nr_class 2',
    `total_sv ${sv.length}`,
    `rho ${sol.rho}`,
    'label 1 0',
    `nr_sv ${pos} ${sv.length - pos}`,
    'SV',
  ];
  for (const t of sv) {
    const parts = [String(sol.coef[t])];
    for (let c = 0; c < X.cols; c++) {
      const v = X.data[t * X.cols + c];
      if (v !== 0) parts.push(`${c + 1}:${v}`);
    }
    lines.push(parts.join(' '));
  }
  return lines.join('\n') + '\n';
}

/** Gram matrix of the rows `idx`, cut out of the full one instead of recomputed. */
export function subGram(K: Float32Array, n: number, idx: ArrayLike<number>): Float32Array {
  const m = idx.length;
  const out = new Float32Array(m * m);
  for (let a = 0; a < m; a++) {
    const src = idx[a] * n;
    for (let b = 0; b < m; b++) out[a * m + b] = K[src + idx[b]];
  }
  return out;
}

/** Decision values (larger = class 1) of rows `test` for a solution trained on rows `train`, read off the full Gram matrix. */
export function gramDecision(K: Float32Array, n: number, train: ArrayLike<number>, test: ArrayLike<number>, sol: SmoResult): Float64Array {
  const out = new Float64Array(test.length);
  for (let k = 0; k < test.length; k++) {
    const row = test[k] * n;
    let f = -sol.rho;
    for (let s = 0; s < train.length; s++) if (sol.coef[s] !== 0) f += sol.coef[s] * K[row + train[s]];
    out[k] = f;
  }
  return out;
}
