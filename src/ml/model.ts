import { calibratorFromJSON, type Calibrator } from './calibration.ts';
import { backgroundMean, interventionalShapley, stratifiedBackground, type Background } from './explain.ts';
import { takeFrameRows, validateFrame } from './frame.ts';
import { fromRows, row, toArrays } from './matrix.ts';
import { numberArray, scoreWalks } from './estimator.ts';
import { Pipeline } from './pipeline.ts';
import type { ColumnSpec, Frame, Matrix } from './types.ts';

export interface Contribution {
  feature: string;
  contribution: number;
}

/** Why the model gives one customer its probability. */
export interface Explanation {
  /** The model's probability for the row (calibrated when calibration was kept). */
  probability: number;
  /** The model's mean probability over its reference customers (the background). */
  base: number;
  /** Per raw feature, in probability points, most influential first; they sum to probability − base. */
  contributions: Contribution[];
}

export interface Model {
  readonly family: string;
  readonly schema: ColumnSpec[];
  /** What every explanation starts from: the mean probability over the model's reference customers. */
  readonly base: number;
  /** P(label = 1 = «Снизилась»), calibrated when calibration was kept. */
  predictProba(X: Frame): Float64Array;
  /** Probability, base and per-feature contributions of row `row` of X; Σ contributions = probability − base exactly. */
  explanation(X: Frame, row: number): Explanation;
  /** `explanation(X, row).contributions`. */
  explain(X: Frame, row: number): Contribution[];
  toJSON(): unknown;
}

/** What the explainer keeps: the reference rows (encoded) with their weights, and how many walks to sample. */
export interface ExplainerState {
  background: Background;
  /** Feature orders walked per background row and explanation (explain.ts). */
  orders: number;
  seed: number;
}

export const MODEL_FORMAT = 'retention-ml-model';
export const MODEL_VERSION = 2;

/** The pipeline's probabilities for encoded rows, through the calibrator when there is one. */
function scoreEncoded(pipeline: Pipeline, calibrator: Calibrator | null, M: Matrix): Float64Array {
  return calibrated(calibrator, pipeline.estimator.predictProba(M));
}

function calibrated(calibrator: Calibrator | null, p: Float64Array): Float64Array {
  if (calibrator) for (let i = 0; i < p.length; i++) p[i] = calibrator.apply(p[i]);
  return p;
}

const sortByMagnitude = (c: Contribution[]): Contribution[] =>
  c.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature));

/** A fitted pipeline plus the optional calibration and what explanations need; the product's only model type. */
export class TrainedModel implements Model {
  readonly schema: ColumnSpec[];
  private bgPred: Float64Array | null = null;

  constructor(
    readonly pipeline: Pipeline,
    readonly calibrator: Calibrator | null,
    readonly explainer: ExplainerState,
  ) {
    this.schema = pipeline.schema.map((s) => ({ ...s }));
  }

  /**
   * A model whose explanations are measured against a stratified sample of `reference` (the rows it
   * was fitted on): the base is then its mean prediction over those customers.
   */
  static withBackground(pipeline: Pipeline, calibrator: Calibrator | null, reference: Frame, opts: { size: number; orders: number; seed: number }): TrainedModel {
    const M = pipeline.transform(reference);
    const background = stratifiedBackground(M, scoreEncoded(pipeline, calibrator, M), opts.size, opts.seed);
    return new TrainedModel(pipeline, calibrator, { background, orders: opts.orders, seed: opts.seed });
  }

  get family(): string {
    return this.pipeline.family;
  }

  private get backgroundPred(): Float64Array {
    this.bgPred ??= this.predictEncoded(this.explainer.background.rows);
    return this.bgPred;
  }

  get base(): number {
    return backgroundMean(this.explainer.background, this.backgroundPred);
  }

  /** Probabilities from an already encoded matrix, calibration included; explanations score batches this way. */
  predictEncoded(M: Matrix): Float64Array {
    return scoreEncoded(this.pipeline, this.calibrator, M);
  }

  predictProba(X: Frame): Float64Array {
    return this.predictEncoded(this.pipeline.transform(X));
  }

  explanation(X: Frame, rowIndex: number): Explanation {
    validateFrame(this.schema, X);
    if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= X.n) throw new Error(`row ${rowIndex} is outside 0..${X.n - 1}`);
    const x = row(this.pipeline.transform(takeFrameRows(X, [rowIndex])), 0).slice();
    const probability = this.predictEncoded({ rows: 1, cols: x.length, data: x })[0];
    const phi = interventionalShapley(
      (walks) => calibrated(this.calibrator, scoreWalks(this.pipeline.estimator, x, this.explainer.background.rows, walks)),
      x,
      probability,
      this.explainer.background,
      this.backgroundPred,
      this.pipeline.preprocessor.groups,
      this.schema.length,
      this.explainer.orders,
      this.explainer.seed,
    );
    return {
      probability,
      base: this.base,
      contributions: sortByMagnitude(this.schema.map((s, f) => ({ feature: s.name, contribution: phi[f] }))),
    };
  }

  explain(X: Frame, rowIndex: number): Contribution[] {
    return this.explanation(X, rowIndex).contributions;
  }

  toJSON(): unknown {
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      family: this.family,
      pipeline: this.pipeline.toJSON(),
      calibration: this.calibrator ? this.calibrator.toJSON() : null,
      explainer: {
        background: toArrays(this.explainer.background.rows),
        weights: Array.from(this.explainer.background.weights),
        orders: this.explainer.orders,
        seed: this.explainer.seed,
      },
    };
  }
}

/** Version 1 measured against one reference row, the average customer; read as a one-row background. */
function explainerV1(ex: { background?: unknown; samples?: unknown; seed?: unknown }): unknown {
  const rows = Array.isArray(ex?.background) ? ex.background : [];
  return { background: rows, weights: rows.map(() => 1 / rows.length), orders: Math.max(1, Math.floor(Number(ex?.samples))), seed: ex?.seed };
}

/** Rebuilds a model from `toJSON()` output without retraining; throws a clear Error on a corrupted artifact. */
export function loadModel(json: unknown): Model {
  try {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
    if (!j || typeof j !== 'object') throw new Error('not an object');
    if (j.format !== MODEL_FORMAT) throw new Error(`format is "${String(j.format)}", expected "${MODEL_FORMAT}"`);
    if (j.version !== MODEL_VERSION && j.version !== 1) throw new Error(`version ${String(j.version)} is not supported (expected ${MODEL_VERSION})`);
    const pipeline = Pipeline.fromJSON(j.pipeline);
    if (j.family !== pipeline.family) throw new Error(`family "${String(j.family)}" does not match its estimator "${pipeline.family}"`);
    const calibrator = j.calibration === null ? null : calibratorFromJSON(j.calibration);
    const ex = (j.version === 1 ? explainerV1(j.explainer as object) : j.explainer) as { background?: unknown; weights?: unknown; orders?: unknown; seed?: unknown };
    const width = pipeline.preprocessor.width;
    if (!ex || !Array.isArray(ex.background) || ex.background.length === 0) throw new Error('explainer background missing');
    const rows = fromRows(ex.background as number[][]);
    if (rows.cols !== width || !rows.data.every(Number.isFinite)) throw new Error('explainer background is malformed');
    const weights = numberArray(ex.weights, 'explainer weights', rows.rows);
    if (!weights.every((w) => w > 0) || Math.abs(weights.reduce((a, b) => a + b, 0) - 1) > 1e-9) throw new Error('explainer weights are malformed');
    if (!Number.isInteger(ex.orders) || (ex.orders as number) < 1 || !Number.isInteger(ex.seed)) throw new Error('explainer settings are malformed');
    const model = new TrainedModel(pipeline, calibrator, { background: { rows, weights }, orders: ex.orders as number, seed: ex.seed as number });
    // Scoring the background proves the estimator accepts the preprocessor's width and yields probabilities.
    const base = model.base;
    if (!(base >= 0 && base <= 1)) throw new Error('the restored model does not produce a probability');
    return model;
  } catch (e) {
    throw new Error(`corrupted model artifact: ${(e as Error).message}`);
  }
}
