export interface ReliabilityBin {
  lo: number;
  hi: number;
  meanPredicted: number;
  observed: number;
  count: number;
}

/** Equal-width bins over [0, 1]; empty bins are left out so every row of the table carries data. */
export function reliabilityTable(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
    sumP[b] += p[i];
    sumY[b] += y[i];
    cnt[b]++;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (cnt[b] === 0) continue;
    out.push({ lo: b / bins, hi: (b + 1) / bins, meanPredicted: sumP[b] / cnt[b], observed: sumY[b] / cnt[b], count: cnt[b] });
  }
  return out;
}
