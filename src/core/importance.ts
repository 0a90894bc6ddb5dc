/**
 * Which way a feature pushes the risk, as /top_features states it: permutation importance says how
 * much the model relies on a feature, not whether more of it means more or less risk. Measured at
 * train time over every training customer and the probability stored for them
 * (src/core/training.ts, through src/ml/directions.ts) and kept in the model's metrics, so the answer
 * reads the model row and nothing else.
 */
import type { IndirectReading } from './indirect.ts';
import type { FeatureDirection as MeasuredDirection } from '../ml/index.ts';
import type { FeatureName } from './domain.ts';

export type FeatureDirection =
  /** Pearson correlation between the feature and the stored probability over the customers the model scored. */
  | { kind: 'numeric'; correlation: number }
  /** The values with the highest and the lowest mean stored probability (among values held by enough customers). */
  | { kind: 'categorical'; riskiest: string; safest: string };

export interface FeatureImportance {
  feature: string;
  /** Permutation importance on ROC-AUC (drop when the feature is shuffled); can be slightly negative for unused features. */
  importance: number;
  direction: FeatureDirection | null;
  /** Set when the feature stands for something else under this model (src/core/indirect.ts): not a cause to act on. */
  indirect?: IndirectReading;
}

/** A categorical value needs this share of customers (and at least 5) before it can be named the riskiest. */
const MIN_GROUP_SHARE = 0.02;

/** Each feature's direction from a measurement made with the stored scores (`featureDirections(…, { scores })`). */
export function scoreDirections(measured: readonly MeasuredDirection[]): Partial<Record<FeatureName, FeatureDirection>> {
  const out: Partial<Record<FeatureName, FeatureDirection>> = {};
  for (const d of measured) {
    const feature = d.feature as FeatureName;
    if (d.kind === 'numeric') {
      if (d.scoreCorrelation !== undefined) out[feature] = { kind: 'numeric', correlation: d.scoreCorrelation };
      continue;
    }
    const levels = d.scoreByLevel ?? [];
    const rows = levels.reduce((n, l) => n + l.rows, 0);
    const minSize = Math.max(5, rows * MIN_GROUP_SHARE);
    const ranked = levels
      .filter((l) => l.rows >= minSize)
      .sort((a, b) => b.meanScore - a.meanScore || a.value.localeCompare(b.value));
    if (ranked.length >= 2) out[feature] = { kind: 'categorical', riskiest: ranked[0].value, safest: ranked[ranked.length - 1].value };
  }
  return out;
}
