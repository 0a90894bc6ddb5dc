import type { Matrix } from '../../types.ts';

/** The parts of a two-class RBF libsvm model that the decision function needs. */
export interface RbfModel {
  gamma: number;
  rho: number;
  /** Class labels in libsvm's order: a positive decision value means `labels[0]`. */
  labels: [number, number];
  sv: Matrix;
  /** y·α per support vector. */
  coef: Float64Array;
}

/**
 * Reads libsvm's text model format (what svm_save_model writes and libsvm-js's serializeModel returns).
 * Support vectors are sparse `index:value` lists with 1-based indices; omitted entries are zero.
 */
export function parseLibsvmModel(text: string, cols: number): RbfModel {
  const lines = text.split('\n');
  const header = new Map<string, string>();
  let k = 0;
  for (; k < lines.length && lines[k].trim() !== 'SV'; k++) {
    const line = lines[k].trim();
    if (!line) continue;
    const sp = line.indexOf(' ');
    header.set(sp < 0 ? line : line.slice(0, sp), sp < 0 ? '' : line.slice(sp + 1));
  }
  if (k === lines.length) throw new Error('libsvm model has no SV section');
  if (header.get('svm_type') !== 'c_svc' || header.get('kernel_type') !== 'rbf') throw new Error('libsvm model is not an RBF C-SVC');
  if (header.get('nr_class') !== '2') throw new Error('libsvm model is not binary');
  const gamma = Number(header.get('gamma'));
  const rho = Number(header.get('rho'));
  const labels = (header.get('label') ?? '').split(' ').map(Number);
  const total = Number(header.get('total_sv'));
  if (!Number.isFinite(gamma) || !Number.isFinite(rho) || labels.length !== 2 || labels.some((l) => l !== 0 && l !== 1) || !Number.isInteger(total)) {
    throw new Error('libsvm model header is malformed');
  }
  const sv: Matrix = { rows: total, cols, data: new Float64Array(total * cols) };
  const coef = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const parts = (lines[k + 1 + i] ?? '').trim().split(' ');
    coef[i] = Number(parts[0]);
    if (!Number.isFinite(coef[i])) throw new Error(`libsvm model: bad coefficient on SV ${i}`);
    for (let t = 1; t < parts.length; t++) {
      const colon = parts[t].indexOf(':');
      const j = Number(parts[t].slice(0, colon)) - 1;
      const v = Number(parts[t].slice(colon + 1));
      if (!(j >= 0 && j < cols) || !Number.isFinite(v)) throw new Error(`libsvm model: bad entry "${parts[t]}" on SV ${i}`);
      sv.data[i * cols + j] = v;
    }
  }
  return { gamma, rho, labels: labels as [number, number], sv, coef };
}

/** Decision value oriented so that larger means class 1, for each row of X. */
export function decisionValues(m: RbfModel, X: Matrix): Float64Array {
  const { sv, coef, gamma } = m;
  const p = X.cols;
  const svNorm = new Float64Array(sv.rows);
  for (let s = 0; s < sv.rows; s++) {
    let t = 0;
    for (let c = 0; c < p; c++) t += sv.data[s * p + c] ** 2;
    svNorm[s] = t;
  }
  const sign = m.labels[0] === 1 ? 1 : -1;
  const out = new Float64Array(X.rows);
  const xd = X.data;
  const sd = sv.data;
  for (let i = 0; i < X.rows; i++) {
    const xo = i * p;
    let xn = 0;
    for (let c = 0; c < p; c++) xn += xd[xo + c] * xd[xo + c];
    let f = 0;
    for (let s = 0; s < sv.rows; s++) {
      const so = s * p;
      let dot = 0;
      for (let c = 0; c < p; c++) dot += xd[xo + c] * sd[so + c];
      f += coef[s] * Math.exp(-gamma * Math.max(0, xn + svNorm[s] - 2 * dot));
    }
    out[i] = sign * (f - m.rho);
  }
  return out;
}
