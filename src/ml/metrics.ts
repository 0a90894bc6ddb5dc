function checkPair(y: ArrayLike<number>, p: ArrayLike<number>): void {
  if (y.length !== p.length) throw new Error(`labels (${y.length}) and scores (${p.length}) differ in length`);
  if (y.length === 0) throw new Error('no samples');
  // A NaN would silently scramble the rank order instead of failing.
  for (let i = 0; i < p.length; i++) if (Number.isNaN(p[i])) throw new Error(`score ${i} is NaN`);
}

/**
 * Area under the ROC curve as the Mann–Whitney statistic: tied scores count one half,
 * which is what scikit-learn's roc_auc_score gives.
 */
export function rocAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkPair(y, p);
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => p[i] - p[j]);
  let pos = 0;
  let rankSumPos = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && p[order[end + 1]] === p[order[start]]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (y[order[k]] === 1) {
        pos++;
        rankSumPos += midRank;
      }
    }
    start = end + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new Error('ROC AUC needs both classes');
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean squared error of probabilities against 0/1 labels. */
export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkPair(y, p);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i] - y[i]) ** 2;
  return s / y.length;
}

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkPair(y, p);
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i], 1e-15), 1 - 1e-15);
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / y.length;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample standard deviation (n − 1), 0 for fewer than two values. */
export function std(xs: ArrayLike<number>): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}
