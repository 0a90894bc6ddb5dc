import { estimatorFromJSON, type Estimator, type EstimatorJSON, type Params } from './estimator.ts';
import { TabularPreprocessor } from './preprocess.ts';
import type { ColumnSpec, Frame, Matrix } from './types.ts';

/**
 * Preprocessing followed by a matrix estimator, itself an Estimator over Frames: cross-validation
 * fits a clone per fold, so the scaler and the one-hot levels never see the held-out rows.
 */
export class Pipeline implements Estimator<Frame> {
  readonly kind = 'pipeline';
  private prep: TabularPreprocessor | null = null;

  constructor(
    readonly schema: readonly ColumnSpec[],
    readonly estimator: Estimator<Matrix>,
  ) {}

  /** The family of the final estimator. */
  get family(): string {
    return this.estimator.kind;
  }

  get params(): Readonly<Params> {
    return this.estimator.params;
  }

  get preprocessor(): TabularPreprocessor {
    if (!this.prep) throw new Error('pipeline is not fitted');
    return this.prep;
  }

  clone(params: Params = {}): Pipeline {
    return new Pipeline(this.schema, this.estimator.clone(params));
  }

  fit(X: Frame, y: Uint8Array): this {
    const prep = new TabularPreprocessor(this.schema).fit(X);
    this.estimator.fit(prep.transform(X), y);
    this.prep = prep;
    return this;
  }

  transform(X: Frame): Matrix {
    return this.preprocessor.transform(X);
  }

  predictProba(X: Frame): Float64Array {
    return this.estimator.predictProba(this.transform(X));
  }

  toJSON(): EstimatorJSON {
    return {
      kind: this.kind,
      params: { ...this.params },
      state: { schema: this.schema, preprocessor: this.preprocessor.toJSON(), estimator: this.estimator.toJSON() },
    };
  }

  /** A fitted pipeline from parts fitted elsewhere: an ensemble of fold models that share one fold's preprocessing. */
  static assemble(schema: readonly ColumnSpec[], prep: TabularPreprocessor, estimator: Estimator<Matrix>): Pipeline {
    const pipe = new Pipeline(schema, estimator);
    pipe.prep = prep;
    return pipe;
  }

  static fromJSON(json: unknown): Pipeline {
    const j = json as EstimatorJSON;
    const st = j?.state as { schema?: ColumnSpec[]; preprocessor?: unknown; estimator?: unknown } | undefined;
    if (j?.kind !== 'pipeline' || !st || !Array.isArray(st.schema)) throw new Error('corrupted pipeline');
    return Pipeline.assemble(st.schema, TabularPreprocessor.fromJSON(st.preprocessor), estimatorFromJSON(st.estimator));
  }
}
