import { takeFrameRows, withColumn } from './frame.ts';
import { rocAuc } from './metrics.ts';
import { Rng } from './rng.ts';
import { stratifiedSample } from './splits.ts';
import type { ColumnSpec, Frame } from './types.ts';

/** A model and the rows it did not see (indices into the frame importance is measured on). */
export interface HeldOut {
  rows: Uint32Array;
  predict: (X: Frame) => Float64Array;
}

/**
 * Drop in ROC AUC when one raw feature is shuffled across rows, breaking its link to the label.
 * Each row is scored by a model that did not see it, so this measures what the models use to
 * generalise, not what they memorised. The AUC is pooled over a stratified sample of at most
 * `maxRows` held-out rows: one ranking over all of them is steadier than an average of per-fold AUCs,
 * and the sample bounds the cost (one scoring pass per feature).
 */
export function permutationImportance(
  schema: readonly ColumnSpec[],
  X: Frame,
  y: ArrayLike<number>,
  parts: readonly HeldOut[],
  seed: number,
  maxRows = 200,
): Float64Array {
  const all = Uint32Array.from(parts.flatMap((p) => Array.from(p.rows)));
  const owner = new Int32Array(X.n).fill(-1);
  parts.forEach((p, k) => p.rows.forEach((i) => (owner[i] = k)));
  const pick = stratifiedSample(Uint8Array.from(all, (i) => y[i]), maxRows, seed);
  const rows = Uint32Array.from(pick, (k) => all[k]);
  const Xs = takeFrameRows(X, rows);
  const ys = Uint8Array.from(rows, (i) => y[i]);
  const byPart = parts.map((_, k) => Uint32Array.from([...rows.keys()].filter((r) => owner[rows[r]] === k)));
  const score = (F: Frame): number => {
    const p = new Float64Array(rows.length);
    parts.forEach((part, k) => {
      if (byPart[k].length === 0) return;
      const q = part.predict(takeFrameRows(F, byPart[k]));
      byPart[k].forEach((r, j) => (p[r] = q[j]));
    });
    return rocAuc(ys, p);
  };
  const base = score(Xs);
  const rng = new Rng(seed);
  return Float64Array.from(schema, (spec) => {
    const col = Xs.columns[spec.name];
    const perm = rng.shuffle(Uint32Array.from({ length: Xs.n }, (_, i) => i));
    const shuffled = col instanceof Float64Array ? Float64Array.from(perm, (i) => col[i]) : Array.from(perm, (i) => col[i]);
    return base - score(withColumn(Xs, spec.name, shuffled));
  });
}
