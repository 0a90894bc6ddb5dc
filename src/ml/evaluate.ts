import { chooseCalibration } from './calibrate-oof.ts';
import { getFamily } from './catalog.ts';
import { takeLabels } from './cv.ts';
import { checkBinary } from './estimator.ts';
import { duplicateGroups, takeFrameRows, validateFrame } from './frame.ts';
import { brier, mean, rocAuc, std } from './metrics.ts';
import type { Resolved } from './options.ts';
import { Pipeline } from './pipeline.ts';
import { deriveSeed } from './rng.ts';
import type { FamilyResult } from './search.ts';
import { selectModel, type Selection } from './select.ts';
import { repeatedStratifiedKFold, stratifiedSample, type Split } from './splits.ts';
import type { ColumnSpec, Frame } from './types.ts';

/** Nested cross-validation of the whole selection procedure, one entry per outer split. */
export interface NestedResult {
  folds: number;
  repeats: number;
  aucs: number[];
  /** Brier of the calibrated probabilities (calibration chosen inside each outer training part). */
  briers: number[];
  briersUncalibrated: number[];
  /** What the procedure picked on each outer training part. */
  chosen: string[];
}

export interface Evaluation {
  chosen: string;
  params: Record<string, unknown>;
  /**
   * The quality to quote: mean ± SD of ROC-AUC over the nested CV's outer folds, or — when nested CV
   * was switched off (`assessment: 'selection'`) — the chosen candidate's own selection score.
   */
  cvAuc: number;
  cvAucStd: number;
  assessment: 'nested' | 'selection';
  /** The chosen candidate's score on the selection splits: the best of all candidates, so biased upwards. */
  selectionAuc: number;
  selectionAucStd: number;
  nested: NestedResult | null;
  families: FamilyResult[];
  timings: Record<string, number>;
  rows: number;
  /** Rows the search and CV ran on (< rows when sampled). */
  searchRows: number;
}

export interface Internal {
  evaluation: Evaluation;
  selection: Selection;
  /** The rows search and CV used, and the splits the selection scored candidates on. */
  X: Frame;
  y: Uint8Array;
  splits: Split[];
}

function groupsOf(schema: readonly ColumnSpec[], X: Frame, o: Resolved): Int32Array | undefined {
  // Exact duplicates stay on one side of every split: a twin in the training folds would let
  // memorising families (deep trees, KNN voting with twins) score its copy for free.
  return o.groupDuplicates ? duplicateGroups(schema, X) : undefined;
}

/**
 * Each outer training part reruns the selection from scratch (its own inner splits, calibration
 * choice and refit); the model it picks scores the outer test rows, which took no part in any choice.
 */
function nestedAssessment(schema: readonly ColumnSpec[], X: Frame, y: Uint8Array, groups: Int32Array | undefined, o: Resolved): NestedResult {
  const outer = repeatedStratifiedKFold(y, o.nestedFolds, o.nestedRepeats, deriveSeed(o.seed, 3), groups);
  const res: NestedResult = { folds: o.nestedFolds, repeats: o.nestedRepeats, aucs: [], briers: [], briersUncalibrated: [], chosen: [] };
  outer.forEach((split, s) => {
    o.progress(`nested:${s + 1}/${outer.length}`);
    const Xtr = takeFrameRows(X, split.train);
    const ytr = takeLabels(y, split.train);
    const inner = repeatedStratifiedKFold(ytr, o.folds, o.repeats, deriveSeed(o.seed, 4, s), groups && Int32Array.from(split.train, (i) => groups[i]));
    const sel = selectModel(schema, Xtr, ytr, inner, { ...o, progress: () => {} });
    const cal = chooseCalibration(sel.oof, ytr, inner);
    const raw = new Pipeline(schema, getFamily(sel.chosen).make(sel.params)).fit(Xtr, ytr).predictProba(takeFrameRows(X, split.test));
    const p = cal.calibrator ? raw.map((v) => cal.calibrator!.apply(v)) : raw;
    const yte = takeLabels(y, split.test);
    res.aucs.push(rocAuc(yte, p));
    res.briers.push(brier(yte, p));
    res.briersUncalibrated.push(brier(yte, raw));
    res.chosen.push(sel.chosen);
  });
  return res;
}

/** Runs the selection procedure and, unless switched off, the nested CV that measures it. */
export function evaluate(schema: readonly ColumnSpec[], X: Frame, y: Uint8Array, o: Resolved): Internal {
  validateFrame(schema, X);
  checkBinary(y, X.n);
  const t0 = performance.now();
  let Xs = X;
  let ys = y;
  if (X.n > o.searchRows) {
    const idx = stratifiedSample(y, o.searchRows, deriveSeed(o.seed, 0));
    Xs = takeFrameRows(X, idx);
    ys = takeLabels(y, idx);
  }
  const groups = groupsOf(schema, Xs, o);
  const splits = repeatedStratifiedKFold(ys, o.folds, o.repeats, deriveSeed(o.seed, 1), groups);
  const selection = selectModel(schema, Xs, ys, splits, o);
  const timings: Record<string, number> = { ...selection.timings, search: performance.now() - t0 };
  let nested: NestedResult | null = null;
  if (o.nestedFolds > 0) {
    const t = performance.now();
    nested = nestedAssessment(schema, Xs, ys, groups, o);
    timings.nested = performance.now() - t;
  }
  return {
    evaluation: {
      chosen: selection.chosen,
      params: selection.params,
      cvAuc: nested ? mean(nested.aucs) : selection.score.mean,
      cvAucStd: nested ? std(nested.aucs) : selection.score.std,
      assessment: nested ? 'nested' : 'selection',
      selectionAuc: selection.score.mean,
      selectionAucStd: selection.score.std,
      nested,
      families: selection.families,
      timings,
      rows: X.n,
      searchRows: Xs.n,
    },
    selection,
    X: Xs,
    y: ys,
    splits,
  };
}
