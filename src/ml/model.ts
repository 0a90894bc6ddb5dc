import { calibratorFromJSON, type Calibrator } from './calibration.ts';
import { isLinear } from './estimator.ts';
import { linearContributions, matchTotal, sampledShapley } from './explain.ts';
import { sigmoid } from './link.ts';
import { takeFrameRows, validateFrame } from './frame.ts';
import { fromRows, row, toArrays } from './matrix.ts';
import { Pipeline } from './pipeline.ts';
import type { ColumnSpec, Frame, Matrix } from './types.ts';

export interface Contribution {
  feature: string;
  contribution: number;
}

export interface Model {
  readonly family: string;
  readonly schema: ColumnSpec[];
  /** P(label = 1 = «Снизилась»), calibrated when calibration was kept. */
  predictProba(X: Frame): Float64Array;
  /** Signed per-raw-feature contributions for row `row` of X, in probability points (sum ≈ p − base rate); most influential first. */
  explain(X: Frame, row: number): Contribution[];
  toJSON(): unknown;
}

/**
 * What the explainer keeps from training. `background` holds the reference row(s) Shapley paths start
 * from — trainBest stores one, the average customer — and `means` the encoded column means the exact
 * linear path measures against.
 */
export interface ExplainerState {
  /** Share of positives in the training labels: what explanations are measured against. */
  baseRate: number;
  background: Matrix;
  means: Float64Array;
  samples: number;
  seed: number;
}

export const MODEL_FORMAT = 'retention-ml-model';
export const MODEL_VERSION = 1;

const sortByMagnitude = (c: Contribution[]): Contribution[] =>
  c.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature));

/** A fitted pipeline plus the optional calibration and what explanations need; the product's only model type. */
export class TrainedModel implements Model {
  readonly schema: ColumnSpec[];

  constructor(
    readonly pipeline: Pipeline,
    readonly calibrator: Calibrator | null,
    readonly explainer: ExplainerState,
  ) {
    this.schema = pipeline.schema.map((s) => ({ ...s }));
  }

  get family(): string {
    return this.pipeline.family;
  }

  /** What explanations add up from: p = base rate + Σ contributions. */
  get baseRate(): number {
    return this.explainer.baseRate;
  }

  /** Probabilities from an already encoded matrix, calibration included; explanations score batches this way. */
  predictEncoded(M: Matrix): Float64Array {
    const p = this.pipeline.estimator.predictProba(M);
    if (this.calibrator) for (let i = 0; i < p.length; i++) p[i] = this.calibrator.apply(p[i]);
    return p;
  }

  predictProba(X: Frame): Float64Array {
    return this.predictEncoded(this.pipeline.transform(X));
  }

  explain(X: Frame, rowIndex: number): Contribution[] {
    validateFrame(this.schema, X);
    if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= X.n) throw new Error(`row ${rowIndex} is outside 0..${X.n - 1}`);
    const x = row(this.pipeline.transform(takeFrameRows(X, [rowIndex])), 0);
    const p = this.predictEncoded({ rows: 1, cols: x.length, data: x })[0];
    const groups = this.pipeline.preprocessor.groups;
    const est = this.pipeline.estimator;
    const phi = isLinear(est)
      ? (() => {
          const { coef, intercept } = est.linearTerms();
          const toP = (eta: number): number => {
            const p = sigmoid(eta);
            return this.calibrator ? this.calibrator.apply(p) : p;
          };
          return linearContributions(coef, intercept, x, this.explainer.means, groups, this.schema.length, toP);
        })()
      : sampledShapley(
          (M) => this.predictEncoded(M),
          x,
          this.explainer.background,
          groups,
          this.schema.length,
          this.explainer.samples,
          this.explainer.seed,
        );
    const adjusted = matchTotal(phi, p - this.explainer.baseRate);
    return sortByMagnitude(this.schema.map((s, f) => ({ feature: s.name, contribution: adjusted[f] })));
  }

  toJSON(): unknown {
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      family: this.family,
      pipeline: this.pipeline.toJSON(),
      calibration: this.calibrator ? this.calibrator.toJSON() : null,
      explainer: {
        baseRate: this.explainer.baseRate,
        background: toArrays(this.explainer.background),
        means: Array.from(this.explainer.means),
        samples: this.explainer.samples,
        seed: this.explainer.seed,
      },
    };
  }
}

/** Rebuilds a model from `toJSON()` output without retraining; throws a clear Error on a corrupted artifact. */
export function loadModel(json: unknown): Model {
  try {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
    if (!j || typeof j !== 'object') throw new Error('not an object');
    if (j.format !== MODEL_FORMAT) throw new Error(`format is "${String(j.format)}", expected "${MODEL_FORMAT}"`);
    if (j.version !== MODEL_VERSION) throw new Error(`version ${String(j.version)} is not supported (expected ${MODEL_VERSION})`);
    const pipeline = Pipeline.fromJSON(j.pipeline);
    if (j.family !== pipeline.family) throw new Error(`family "${String(j.family)}" does not match its estimator "${pipeline.family}"`);
    const calibrator = j.calibration === null ? null : calibratorFromJSON(j.calibration);
    const ex = j.explainer as { baseRate?: unknown; background?: unknown; means?: unknown; samples?: unknown; seed?: unknown };
    const width = pipeline.preprocessor.width;
    if (!ex || !Array.isArray(ex.background) || ex.background.length === 0) throw new Error('explainer background missing');
    const background = fromRows(ex.background as number[][]);
    if (background.cols !== width || !background.data.every(Number.isFinite)) throw new Error('explainer background is malformed');
    if (!Array.isArray(ex.means) || ex.means.length !== width || !ex.means.every((v) => Number.isFinite(v))) {
      throw new Error('explainer means are malformed');
    }
    if (!Number.isInteger(ex.samples) || (ex.samples as number) < 2 || !Number.isInteger(ex.seed)) throw new Error('explainer settings are malformed');
    if (typeof ex.baseRate !== 'number' || !(ex.baseRate >= 0 && ex.baseRate <= 1)) throw new Error('explainer base rate is malformed');
    const model = new TrainedModel(pipeline, calibrator, {
      baseRate: ex.baseRate,
      background,
      means: Float64Array.from(ex.means as number[]),
      samples: ex.samples as number,
      seed: ex.seed as number,
    });
    // One prediction proves the estimator accepts the preprocessor's width and yields probabilities.
    const probe = model.predictEncoded(background)[0];
    if (!(probe >= 0 && probe <= 1)) throw new Error('the restored model does not produce a probability');
    return model;
  } catch (e) {
    throw new Error(`corrupted model artifact: ${(e as Error).message}`);
  }
}
