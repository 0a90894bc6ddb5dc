/**
 * Which way a feature pushes the risk, read from the stored scores: permutation importance says how
 * much the model relies on a feature, not whether more of it means more or less risk.
 */
import { FEATURES, type FeatureName } from './domain.ts';
import { featureValue } from './features.ts';
import type { ScoredCustomer } from './segments.ts';

export type FeatureDirection =
  /** Pearson correlation between the feature and the predicted probability over the served customers. */
  | { kind: 'numeric'; correlation: number }
  /** The values with the highest and the lowest mean predicted probability (among values held by enough customers). */
  | { kind: 'categorical'; riskiest: string; safest: string };

export interface FeatureImportance {
  feature: string;
  /** Permutation importance on ROC-AUC (drop when the feature is shuffled); can be slightly negative for unused features. */
  importance: number;
  direction: FeatureDirection | null;
}

/** A categorical value needs this share of customers (and at least 5) before it can be named the riskiest. */
const MIN_GROUP_SHARE = 0.02;

function correlation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) (mx += xs[i]), (my += ys[i]);
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Direction of every model feature over customers with a finite stored probability. */
export function featureDirections(scored: readonly ScoredCustomer[]): Partial<Record<FeatureName, FeatureDirection>> {
  const rows = scored.filter((s) => Number.isFinite(s.probability));
  const out: Partial<Record<FeatureName, FeatureDirection>> = {};
  if (rows.length < 2) return out;
  const p = Float64Array.from(rows, (s) => s.probability);
  for (const f of FEATURES) {
    if (f.kind === 'numeric') {
      out[f.name] = { kind: 'numeric', correlation: correlation(Float64Array.from(rows, (s) => s.customer[f.name] as number), p) };
      continue;
    }
    const groups = new Map<string, { n: number; sum: number }>();
    rows.forEach((s, i) => {
      const key = String(featureValue(s.customer, f.name));
      const g = groups.get(key) ?? { n: 0, sum: 0 };
      g.n++;
      g.sum += p[i];
      groups.set(key, g);
    });
    const minSize = Math.max(5, rows.length * MIN_GROUP_SHARE);
    const ranked = [...groups]
      .filter(([, g]) => g.n >= minSize)
      .map(([value, g]) => ({ value, mean: g.sum / g.n }))
      .sort((a, b) => b.mean - a.mean || a.value.localeCompare(b.value));
    if (ranked.length >= 2) out[f.name] = { kind: 'categorical', riskiest: ranked[0].value, safest: ranked[ranked.length - 1].value };
  }
  return out;
}
