import { chooseCalibration } from './calibrate-oof.ts';
import { getFamily } from './catalog.ts';
import { takeLabels } from './cv.ts';
import { evaluate, type Evaluation } from './evaluate.ts';
import { takeFrameRows } from './frame.ts';
import { permutationImportance } from './importance.ts';
import { TrainedModel, type Model } from './model.ts';
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
  cvAuc: number;
  cvAucStd: number;
  families: FamilyResult[];
  brier: { uncalibrated: number; calibrated: number };
  calibration: 'none' | 'platt' | 'isotonic';
  reliability: ReliabilityBin[];
  importance: { feature: string; importance: number }[];
  timings: Record<string, number>;
  rows: number;
}

/** Searches every family with repeated stratified CV and reports how each scored; trains nothing to keep. */
export function evaluateFamilies(schema: ColumnSpec[], X: Frame, y: Uint8Array, opts: TrainOptions = {}): Evaluation {
  return evaluate(schema, X, y, resolve(opts, X.n)).evaluation;
}

export interface TrainResult {
  model: Model;
  report: TrainReport;
  /**
   * Calibrated out-of-fold probability of every training row (mean over the CV repeats), or null when
   * the search ran on a sample. These, not `model.predictProba` on the same rows, are the honest scores
   * of the training customers: a forest has seen them (bootstrap leaves), and even with KNN's self-skip
   * the refit uses all rows.
   */
  outOfFold: Float64Array | null;
}

/**
 * The whole training use case: search, score the winner, choose a calibration, measure importance,
 * refit on every row and package the result with what explanations need.
 */
export function trainBest(schema: ColumnSpec[], X: Frame, y: Uint8Array, opts: TrainOptions = {}): TrainResult {
  const o = resolve(opts, X.n);
  const tStart = performance.now();
  const { evaluation, winner, X: Xs, y: ys } = evaluate(schema, X, y, o);
  const timings = { ...evaluation.timings };
  const family = getFamily(evaluation.chosen);

  o.progress('importance');
  let t = performance.now();
  const drops = new Float64Array(schema.length);
  winner.folds.forEach((fold, k) => {
    const d = permutationImportance(fold.predict, schema, takeFrameRows(Xs, fold.test), takeLabels(ys, fold.test), deriveSeed(o.seed, 4, k));
    d.forEach((v, f) => (drops[f] += v / winner.folds.length));
  });
  const importance = schema
    .map((s, f) => ({ feature: s.name, importance: drops[f] }))
    .sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature));
  timings.importance = performance.now() - t;

  o.progress('calibration');
  t = performance.now();
  const cal = chooseCalibration(winner.oof, ys, deriveSeed(o.seed, 5));
  const reliability = reliabilityTable(ys, cal.calibratedOof[0]);
  timings.calibration = performance.now() - t;

  o.progress('refit');
  t = performance.now();
  const pipeline = new Pipeline(schema, family.make(evaluation.params)).fit(X, y);
  const encoded = pipeline.transform(Xs);
  const means = new Float64Array(encoded.cols);
  for (let i = 0; i < encoded.rows; i++) for (let j = 0; j < encoded.cols; j++) means[j] += encoded.data[i * encoded.cols + j] / encoded.rows;
  // The baseline is the average customer (encoded means): one reference point makes the sampled
  // Shapley values far more stable than a handful of background rows (measured on the shop's data:
  // 16 orders agree with 512 at r ≈ 0.97, against r ≈ 0.8 for 16 orders over 8 background rows).
  const model = new TrainedModel(pipeline, cal.calibrator, {
    baseRate: y.reduce((a, b) => a + b, 0) / y.length,
    background: { rows: 1, cols: means.length, data: means.slice() },
    means,
    samples: o.explainSamples,
    seed: deriveSeed(o.seed, 7),
  });
  timings.refit = performance.now() - t;
  timings.total = performance.now() - tStart;
  o.progress('done');

  const outOfFold =
    Xs.n === X.n
      ? Float64Array.from({ length: X.n }, (_, i) => cal.calibratedOof.reduce((s, p) => s + p[i], 0) / cal.calibratedOof.length)
      : null;
  return {
    model,
    outOfFold,
    report: {
      chosen: evaluation.chosen,
      params: evaluation.params,
      cvAuc: evaluation.cvAuc,
      cvAucStd: evaluation.cvAucStd,
      families: evaluation.families,
      brier: { uncalibrated: cal.brierUncalibrated, calibrated: cal.brierCalibrated },
      calibration: cal.kind,
      reliability,
      importance,
      timings,
      rows: X.n,
    },
  };
}
