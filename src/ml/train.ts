import { chooseCalibration } from './calibrate-oof.ts';
import { getFamily } from './catalog.ts';
import { evaluate, type Evaluation, type NestedResult } from './evaluate.ts';
import { takeFrameRows } from './frame.ts';
import { permutationImportance } from './importance.ts';
import { mean } from './metrics.ts';
import { TrainedModel, type Explanation, type Model } from './model.ts';
import { resolve, type TrainOptions } from './options.ts';
import { Pipeline } from './pipeline.ts';
import { reliabilityTable, type ReliabilityBin } from './reliability.ts';
import { deriveSeed } from './rng.ts';
import type { FamilyResult } from './search.ts';
import type { ColumnSpec, Frame } from './types.ts';

export type { Evaluation } from './evaluate.ts';
export type { TrainOptions } from './options.ts';

export interface TrainReport {
  chosen: string;
  params: Record<string, unknown>;
  /** Quality to quote: nested CV mean ± SD over the outer folds (see Evaluation.cvAuc). */
  cvAuc: number;
  cvAucStd: number;
  assessment: 'nested' | 'selection';
  selectionAuc: number;
  selectionAucStd: number;
  nested: NestedResult | null;
  families: FamilyResult[];
  brier: {
    /** On the selection splits' out-of-fold rows, before and after the chosen calibration (each row calibrated by a map fitted without it). */
    uncalibrated: number;
    calibrated: number;
    /** Mean over the nested CV's outer test folds (null without nested CV). */
    nested: number | null;
    nestedUncalibrated: number | null;
  };
  calibration: 'none' | 'platt' | 'isotonic';
  reliability: ReliabilityBin[];
  importance: { feature: string; importance: number }[];
  timings: Record<string, number>;
  rows: number;
}

/** Searches every family and measures the procedure (nested CV); trains nothing to keep. */
export function evaluateFamilies(schema: ColumnSpec[], X: Frame, y: Uint8Array, opts: TrainOptions = {}): Evaluation {
  return evaluate(schema, X, y, resolve(opts, X.n)).evaluation;
}

export interface TrainResult {
  /** Refitted on every row: the model for customers it has not seen. */
  model: Model;
  report: TrainReport;
  /**
   * Probability of every training row from the first-repeat fold model that did not see it (that fold's
   * calibration included), or null when the search ran on a sample. These, not `model.predictProba` on
   * the same rows, are the honest scores of the training customers: the refit has seen them.
   */
  outOfFold: Float64Array | null;
  /**
   * Explanation of training row `row` by the very model its `outOfFold` score came from: its
   * probability equals outOfFold[row], and the contributions sum to it minus that model's base.
   * Without out-of-fold scores (sampled search) it is the refitted model's explanation.
   */
  explainTraining(row: number): Explanation;
}

/**
 * The whole training use case: select a model, measure the selection by nested CV, choose a
 * calibration, measure importance, refit on every row, and keep each fold model to answer for the
 * customers it did not see.
 */
export function trainBest(schema: ColumnSpec[], X: Frame, y: Uint8Array, opts: TrainOptions = {}): TrainResult {
  const o = resolve(opts, X.n);
  const tStart = performance.now();
  const { evaluation, selection, X: Xs, y: ys, splits } = evaluate(schema, X, y, o);
  const timings = { ...evaluation.timings };

  o.progress('importance');
  let t = performance.now();
  const drops = permutationImportance(
    schema,
    Xs,
    ys,
    selection.folds.map((f) => ({ rows: f.split.test, predict: (F: Frame) => f.pipeline.predictProba(F) })),
    deriveSeed(o.seed, 5),
  );
  const importance = schema
    .map((s, f) => ({ feature: s.name, importance: drops[f] }))
    .sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature));
  timings.importance = performance.now() - t;

  o.progress('calibration');
  t = performance.now();
  const cal = chooseCalibration(selection.oof, ys, splits);
  const reliability = reliabilityTable(ys, cal.calibratedOof[0]);
  timings.calibration = performance.now() - t;

  o.progress('refit');
  t = performance.now();
  const explain = { size: o.explainBackground, orders: o.explainOrders };
  const pipeline = new Pipeline(schema, getFamily(evaluation.chosen).make(evaluation.params)).fit(X, y);
  const model = TrainedModel.withBackground(pipeline, cal.calibrator, Xs, { ...explain, seed: deriveSeed(o.seed, 7) });
  timings.refit = performance.now() - t;
  timings.total = performance.now() - tStart;
  o.progress('done');

  const crossFitted = Xs.n === X.n;
  const foldOf = new Int32Array(X.n).fill(-1);
  selection.folds.forEach((f, k) => f.split.test.forEach((i) => (foldOf[i] = k)));
  // Built on first use: their backgrounds cost a scoring pass over each fold's training rows.
  const served: (TrainedModel | null)[] = selection.folds.map(() => null);
  const servedModel = (k: number): TrainedModel =>
    (served[k] ??= TrainedModel.withBackground(selection.folds[k].pipeline, cal.foldCalibrators[k], takeFrameRows(Xs, selection.folds[k].split.train), {
      ...explain,
      seed: deriveSeed(o.seed, 8, k),
    }));
  const nested = evaluation.nested;
  return {
    model,
    outOfFold: crossFitted ? cal.calibratedOof[0].slice() : null,
    explainTraining: (row) => {
      if (!Number.isInteger(row) || row < 0 || row >= X.n) throw new Error(`row ${row} is outside 0..${X.n - 1}`);
      return crossFitted ? servedModel(foldOf[row]).explanation(X, row) : model.explanation(X, row);
    },
    report: {
      chosen: evaluation.chosen,
      params: evaluation.params,
      cvAuc: evaluation.cvAuc,
      cvAucStd: evaluation.cvAucStd,
      assessment: evaluation.assessment,
      selectionAuc: evaluation.selectionAuc,
      selectionAucStd: evaluation.selectionAucStd,
      nested,
      families: evaluation.families,
      brier: {
        uncalibrated: cal.brierUncalibrated,
        calibrated: cal.brierCalibrated,
        nested: nested ? mean(nested.briers) : null,
        nestedUncalibrated: nested ? mean(nested.briersUncalibrated) : null,
      },
      calibration: cal.kind,
      reliability,
      importance,
      timings,
      rows: X.n,
    },
  };
}
