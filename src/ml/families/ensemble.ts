import { estimatorFromJSON, numberArray, registerEstimator, scoreWalks, type Estimator, type EstimatorJSON, type Params, type Walk, type WalkScorer } from '../estimator.ts';
import type { Matrix } from '../types.ts';

/**
 * Weighted mean of probability vectors. The search scores member combinations from their
 * out-of-fold predictions with this same function, so a combination's cross-validated score and the
 * fitted ensemble's predictions agree to the last bit.
 */
export function blend(parts: readonly ArrayLike<number>[], weights: readonly number[]): Float64Array {
  const out = new Float64Array(parts[0].length);
  parts.forEach((p, m) => {
    for (let i = 0; i < out.length; i++) out[i] += weights[m] * p[i];
  });
  return out;
}

/** Equal weights, or the given ones scaled to sum to 1. */
function normalized(weights: readonly number[] | undefined, count: number): number[] {
  const w = weights ?? new Array<number>(count).fill(1);
  if (w.length !== count || !w.every((v) => Number.isFinite(v) && v > 0)) throw new Error(`ensemble: need ${count} positive weights`);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/**
 * Soft voting: the weighted mean of the members' probabilities. Members share the pipeline's
 * preprocessing and are fitted independently on the same rows.
 */
export class SoftVotingEnsemble implements Estimator<Matrix>, WalkScorer {
  readonly kind = 'ensemble';
  readonly weights: readonly number[];

  constructor(
    readonly members: readonly Estimator<Matrix>[],
    weights?: readonly number[],
  ) {
    if (members.length < 2) throw new Error('ensemble: needs at least two members');
    this.weights = normalized(weights, members.length);
  }

  get params(): Readonly<Params> {
    return { members: this.members.map((m) => ({ family: m.kind, params: { ...m.params } })), weights: [...this.weights] };
  }

  /** Unfitted copy; `params.members` may override members' params by position, `params.weights` the weights. */
  clone(params: Params = {}): SoftVotingEnsemble {
    const over = (params.members as { params?: Params }[] | undefined) ?? [];
    return new SoftVotingEnsemble(
      this.members.map((m, k) => m.clone(over[k]?.params ?? {})),
      (params.weights as number[] | undefined) ?? this.weights,
    );
  }

  fit(X: Matrix, y: Uint8Array): this {
    for (const m of this.members) m.fit(X, y);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    return blend(
      this.members.map((m) => m.predictProba(X)),
      this.weights,
    );
  }

  scoreWalks(x: Float64Array, starts: Matrix, walks: readonly Walk[]): Float64Array {
    return blend(
      this.members.map((m) => scoreWalks(m, x, starts, walks)),
      this.weights,
    );
  }

  toJSON(): EstimatorJSON {
    return { kind: this.kind, params: { ...this.params }, state: { members: this.members.map((m) => m.toJSON()), weights: [...this.weights] } };
  }

  static fromJSON(json: EstimatorJSON): SoftVotingEnsemble {
    const st = json.state as { members?: unknown; weights?: unknown };
    if (!Array.isArray(st?.members)) throw new Error('corrupted ensemble state');
    // Artifacts written before weights existed voted with equal weights.
    const weights = st.weights === undefined ? undefined : Array.from(numberArray(st.weights, 'ensemble weights', st.members.length));
    return new SoftVotingEnsemble(st.members.map(estimatorFromJSON), weights);
  }
}

registerEstimator('ensemble', SoftVotingEnsemble.fromJSON);
