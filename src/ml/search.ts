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
  /** Mean and SD of ROC-AUC over the selection splits: the numbers the choice was made on, optimistic for the winner. */
  cvAucMean: number;
  cvAucStd: number;
  candidates: number;
  searchMs: number;
}

/** A pipeline fitted on one split's training rows, kept so the rows it did not see can be scored and explained by it. */
export interface FoldModel {
  split: Split;
  pipeline: Pipeline;
}

export interface SearchOutcome {
  result: FamilyResult;
  /** Out-of-fold probabilities of the best candidate, one array per repeat. */
  oof: Float64Array[];
  /** ROC-AUC per split, in split order. */
  aucs: number[];
  /** The best candidate's pipelines fitted on the first repeat's folds. */
  folds: FoldModel[];
}

/** Grid search of one family: every candidate is cross-validated on the same splits, best mean AUC wins. */
export function searchFamily(family: Family, schema: readonly ColumnSpec[], X: Frame, y: Uint8Array, splits: readonly Split[]): SearchOutcome {
  const t0 = performance.now();
  const grid = family.grid(X.n);
  let best: { params: Params; aucs: number[]; oof: Float64Array[]; folds: FoldModel[] } | null = null;
  for (const params of grid) {
    const folds: FoldModel[] = [];
    const { aucs, oof } = crossValidate(new Pipeline(schema, family.make(params)), X, y, splits, ({ split, fitted }) => {
      if (split.repeat === 0) folds.push({ split, pipeline: fitted as Pipeline });
    });
    // Ties keep the earlier candidate: grids list the simpler configurations first.
    if (!best || mean(aucs) > mean(best.aucs) + 1e-12) best = { params, aucs, oof, folds };
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
    aucs: best.aucs,
    folds: best.folds,
  };
}
