import { chooseCalibration } from './calibrate-oof.ts';
import { familyNames, getFamily } from './catalog.ts';
import { crossValidate, takeLabels } from './cv.ts';
import { checkBinary } from './estimator.ts';
import { takeFrameRows, validateFrame } from './frame.ts';
import { permutationImportance } from './importance.ts';
import { takeRows } from './matrix.ts';
import { mean, std } from './metrics.ts';
import { TrainedModel, type Model } from './model.ts';
import { Pipeline } from './pipeline.ts';
import { reliabilityTable, type ReliabilityBin } from './reliability.ts';
import { Rng, deriveSeed } from './rng.ts';
import { searchFamily, type FamilyResult } from './search.ts';
import { repeatedStratifiedKFold, stratifiedKFold, stratifiedSample } from './splits.ts';
import type { ColumnSpec, Frame } from './types.ts';

export interface TrainOptions {
  seed?: number;
  folds?: number;
  repeats?: number;
  families?: string[];
  onProgress?: (stage: string) => void;
  /** Repeats of the k-fold used to rank a family's candidates (the winners are then re-scored with `repeats`). */
  searchRepeats?: number;
  /** Above this many rows, search and evaluation run on a stratified sample of this size; the winner is refitted on all rows. */
  searchRows?: number;
  /** Background rows kept for per-customer explanations. */
  backgroundRows?: number;
  /** Sampled feature orders per explanation (rounded up to even). */
  explainSamples?: number;
}

export interface Evaluation {
  chosen: string;
  params: Record<string, unknown>;
  cvAuc: number;
  cvAucStd: number;
  families: FamilyResult[];
  timings: Record<string, number>;
  rows: number;
  /** Rows the search and CV ran on (< rows when sampled). */
  searchRows: number;
}

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

interface Resolved {
  seed: number;
  folds: number;
  repeats: number;
  searchRepeats: number;
  searchRows: number;
  families: string[];
  backgroundRows: number;
  explainSamples: number;
  progress: (stage: string) => void;
}

function resolve(opts: TrainOptions): Resolved {
  const families = opts.families ?? familyNames();
  families.forEach(getFamily);
  return {
    seed: opts.seed ?? 42,
    folds: opts.folds ?? 5,
    repeats: opts.repeats ?? 3,
    searchRepeats: opts.searchRepeats ?? 1,
    searchRows: opts.searchRows ?? 5000,
    families,
    backgroundRows: opts.backgroundRows ?? 32,
    explainSamples: Math.max(2, Math.ceil((opts.explainSamples ?? 32) / 2) * 2),
    progress: opts.onProgress ?? (() => {}),
  };
}

interface Scored {
  result: FamilyResult;
  oof: Float64Array[];
}

interface Internal {
  evaluation: Evaluation;
  winner: Scored;
  /** The rows search and CV used. */
  X: Frame;
  y: Uint8Array;
}

function evaluate(schema: readonly ColumnSpec[], X: Frame, y: Uint8Array, o: Resolved): Internal {
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
  const searchSplits = repeatedStratifiedKFold(ys, o.folds, o.searchRepeats, deriveSeed(o.seed, 1));
  // Fresh splits for the final scores, so the reported AUC is not the one the grid was tuned on.
  const evalSplits = repeatedStratifiedKFold(ys, o.folds, o.repeats, deriveSeed(o.seed, 2));
  const timings: Record<string, number> = {};
  const scored: Scored[] = [];
  for (const name of o.families) {
    o.progress(`search:${name}`);
    const family = getFamily(name);
    const found = searchFamily(family, schema, Xs, ys, searchSplits);
    const t = performance.now();
    const cv = crossValidate(new Pipeline(schema, family.make(found.params)), Xs, ys, evalSplits);
    const searchMs = found.searchMs + (performance.now() - t);
    timings[`family:${name}`] = searchMs;
    scored.push({ result: { ...found, cvAucMean: mean(cv.aucs), cvAucStd: std(cv.aucs), searchMs }, oof: cv.oof });
  }
  const winner = scored.reduce((a, b) => (b.result.cvAucMean > a.result.cvAucMean + 1e-12 ? b : a));
  timings.search = performance.now() - t0;
  return {
    evaluation: {
      chosen: winner.result.family,
      params: winner.result.params,
      cvAuc: winner.result.cvAucMean,
      cvAucStd: winner.result.cvAucStd,
      families: scored.map((s) => s.result),
      timings,
      rows: X.n,
      searchRows: Xs.n,
    },
    winner,
    X: Xs,
    y: ys,
  };
}

/** Searches every family with repeated stratified CV and reports how each scored; trains nothing to keep. */
export function evaluateFamilies(schema: ColumnSpec[], X: Frame, y: Uint8Array, opts: TrainOptions = {}): Evaluation {
  return evaluate(schema, X, y, resolve(opts)).evaluation;
}

/**
 * The whole training use case: search, score the winner, choose a calibration, measure importance,
 * refit on every row and package the result with what explanations need.
 */
export function trainBest(schema: ColumnSpec[], X: Frame, y: Uint8Array, opts: TrainOptions = {}): { model: Model; report: TrainReport } {
  const o = resolve(opts);
  const tStart = performance.now();
  const { evaluation, winner, X: Xs, y: ys } = evaluate(schema, X, y, o);
  const timings = { ...evaluation.timings };
  const family = getFamily(evaluation.chosen);

  o.progress('importance');
  let t = performance.now();
  const drops = new Float64Array(schema.length);
  const impSplits = stratifiedKFold(ys, o.folds, deriveSeed(o.seed, 3));
  crossValidate(new Pipeline(schema, family.make(evaluation.params)), Xs, ys, impSplits, (ctx) => {
    const d = permutationImportance((F) => ctx.fitted.predictProba(F), schema, ctx.Xtest, ctx.ytest, deriveSeed(o.seed, 4, ctx.split.fold));
    d.forEach((v, f) => (drops[f] += v / impSplits.length));
  });
  const importance = schema
    .map((s, f) => ({ feature: s.name, importance: drops[f] }))
    .sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature));
  timings.importance = performance.now() - t;

  o.progress('calibration');
  t = performance.now();
  const cal = chooseCalibration(winner.oof, ys, deriveSeed(o.seed, 5));
  const reliability = reliabilityTable(ys, cal.calibratedOof);
  timings.calibration = performance.now() - t;

  o.progress('refit');
  t = performance.now();
  const pipeline = new Pipeline(schema, family.make(evaluation.params)).fit(X, y);
  const encoded = pipeline.transform(Xs);
  const means = new Float64Array(encoded.cols);
  for (let i = 0; i < encoded.rows; i++) for (let j = 0; j < encoded.cols; j++) means[j] += encoded.data[i * encoded.cols + j] / encoded.rows;
  const bgIdx = new Rng(deriveSeed(o.seed, 6)).shuffle(Uint32Array.from({ length: encoded.rows }, (_, i) => i)).slice(0, o.backgroundRows);
  const model = new TrainedModel(pipeline, cal.calibrator, {
    background: takeRows(encoded, bgIdx),
    means,
    samples: o.explainSamples,
    seed: deriveSeed(o.seed, 7),
  });
  timings.refit = performance.now() - t;
  timings.total = performance.now() - tStart;
  o.progress('done');

  return {
    model,
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
