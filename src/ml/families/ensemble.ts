import { estimatorFromJSON, registerEstimator, scoringCost, type Estimator, type EstimatorJSON, type Params } from '../estimator.ts';
import type { Matrix } from '../types.ts';

/**
 * Soft voting: the mean of the members' probabilities. Members share the pipeline's preprocessing
 * and are fitted independently on the same rows.
 */
export class SoftVotingEnsemble implements Estimator<Matrix> {
  readonly kind = 'ensemble';

  constructor(readonly members: readonly Estimator<Matrix>[]) {
    if (members.length < 2) throw new Error('ensemble: needs at least two members');
  }

  get params(): Readonly<Params> {
    return { members: this.members.map((m) => ({ family: m.kind, params: { ...m.params } })) };
  }

  /** Unfitted copy; `params.members` may override members' params by position. */
  clone(params: Params = {}): SoftVotingEnsemble {
    const over = (params.members as { params?: Params }[] | undefined) ?? [];
    return new SoftVotingEnsemble(this.members.map((m, k) => m.clone(over[k]?.params ?? {})));
  }

  fit(X: Matrix, y: Uint8Array): this {
    for (const m of this.members) m.fit(X, y);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows);
    for (const m of this.members) {
      const p = m.predictProba(X);
      for (let i = 0; i < out.length; i++) out[i] += p[i] / this.members.length;
    }
    return out;
  }

  scoringCost(): number {
    return this.members.reduce((s, m) => s + scoringCost(m), 0);
  }

  toJSON(): EstimatorJSON {
    return { kind: this.kind, params: { ...this.params }, state: { members: this.members.map((m) => m.toJSON()) } };
  }

  static fromJSON(json: EstimatorJSON): SoftVotingEnsemble {
    const st = json.state as { members?: unknown };
    if (!Array.isArray(st?.members)) throw new Error('corrupted ensemble state');
    return new SoftVotingEnsemble(st.members.map(estimatorFromJSON));
  }
}

registerEstimator('ensemble', SoftVotingEnsemble.fromJSON);
