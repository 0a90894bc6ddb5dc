import type { Family } from './catalog.ts';
import { crossValidate } from './cv.ts';
import type { Params } from './estimator.ts';
import { mean, std } from './metrics.ts';
import { Pipeline } from './pipeline.ts';
import type { Split } from './splits.ts';
import type { ColumnSpec, Frame } from './types.ts';

export interface FamilyResult {
  family: string;
  params: Record<string, unknown>;
  cvAucMean: number;
  cvAucStd: number;
  candidates: number;
  searchMs: number;
}

export interface SearchOutcome {
  result: FamilyResult;
  /** Out-of-fold probabilities of the best candidate on the search splits, one array per repeat. */
  oof: Float64Array[];
}

/** Grid search of one family: every candidate is cross-validated on the same splits, best mean AUC wins. */
export function searchFamily(
  family: Family,
  schema: readonly ColumnSpec[],
  X: Frame,
  y: Uint8Array,
  splits: readonly Split[],
): SearchOutcome {
  const t0 = performance.now();
  const grid = family.grid(X.n);
  let best: { params: Params; aucs: number[]; oof: Float64Array[] } | null = null;
  for (const params of grid) {
    const { aucs, oof } = crossValidate(new Pipeline(schema, family.make(params)), X, y, splits);
    // Ties keep the earlier candidate: grids list the simpler configurations first.
    if (!best || mean(aucs) > mean(best.aucs) + 1e-12) best = { params, aucs, oof };
  }
  if (!best) throw new Error(`family "${family.name}" has an empty grid`);
  return {
    result: {
      family: family.name,
      params: { ...family.make(best.params).params },
      cvAucMean: mean(best.aucs),
      cvAucStd: std(best.aucs),
      candidates: grid.length,
      searchMs: performance.now() - t0,
    },
    oof: best.oof,
  };
}
