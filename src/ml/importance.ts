import { withColumn } from './frame.ts';
import { rocAuc } from './metrics.ts';
import { Rng } from './rng.ts';
import type { ColumnSpec, Frame } from './types.ts';

/**
 * Drop in ROC AUC when one raw feature is shuffled across rows, breaking its link to the label.
 * Run on held-out rows, so it measures what the model uses to generalise, not what it memorised.
 */
export function permutationImportance(
  predict: (X: Frame) => Float64Array,
  schema: readonly ColumnSpec[],
  X: Frame,
  y: ArrayLike<number>,
  seed: number,
  shuffles = 1,
): Float64Array {
  const base = rocAuc(y, predict(X));
  const rng = new Rng(seed);
  const drops = new Float64Array(schema.length);
  schema.forEach((spec, f) => {
    const col = X.columns[spec.name];
    let total = 0;
    for (let s = 0; s < shuffles; s++) {
      const perm = rng.shuffle(Uint32Array.from({ length: X.n }, (_, i) => i));
      const shuffled =
        col instanceof Float64Array ? Float64Array.from(perm, (i) => col[i]) : Array.from(perm, (i) => col[i]);
      total += base - rocAuc(y, predict(withColumn(X, spec.name, shuffled)));
    }
    drops[f] = total / shuffles;
  });
  return drops;
}
