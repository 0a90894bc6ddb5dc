import { validateFrame } from './frame.ts';
import { zeros } from './matrix.ts';
import type { ColumnSpec, Frame, Matrix } from './types.ts';

export interface PreprocessorState {
  schema: ColumnSpec[];
  means: Record<string, number>;
  scales: Record<string, number>;
  levels: Record<string, string[]>;
}

/**
 * Standard-scales numeric columns and one-hot encodes categorical ones. Levels never seen in fit
 * encode as all zeros, so a new category at scoring time is neutral instead of an error.
 * Missing numeric values (NaN) become the training mean, i.e. 0 after scaling.
 */
export class TabularPreprocessor {
  private state: PreprocessorState | null = null;

  constructor(readonly schema: readonly ColumnSpec[]) {}

  get fitted(): boolean {
    return this.state !== null;
  }

  fit(X: Frame): this {
    validateFrame(this.schema, X);
    const means: Record<string, number> = {};
    const scales: Record<string, number> = {};
    const levels: Record<string, string[]> = {};
    for (const spec of this.schema) {
      const col = X.columns[spec.name];
      if (spec.kind === 'numeric') {
        const v = col as Float64Array;
        let s = 0;
        let k = 0;
        for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) (s += v[i]), k++;
        const m = k ? s / k : 0;
        let ss = 0;
        for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) ss += (v[i] - m) ** 2;
        // Population std, as scikit-learn's StandardScaler; a constant column keeps scale 1.
        const sd = k ? Math.sqrt(ss / k) : 0;
        means[spec.name] = m;
        scales[spec.name] = sd > 1e-12 ? sd : 1;
      } else {
        levels[spec.name] = [...new Set(col as string[])].sort();
      }
    }
    this.state = { schema: this.schema.map((s) => ({ ...s })), means, scales, levels };
    return this;
  }

  private get s(): PreprocessorState {
    if (!this.state) throw new Error('preprocessor is not fitted');
    return this.state;
  }

  /** Width of the encoded matrix. */
  get width(): number {
    return this.groups.length;
  }

  /** For each encoded column, the index in `schema` of the raw feature it came from. */
  get groups(): number[] {
    const g: number[] = [];
    this.schema.forEach((spec, f) => {
      const w = spec.kind === 'numeric' ? 1 : this.s.levels[spec.name].length;
      for (let k = 0; k < w; k++) g.push(f);
    });
    return g;
  }

  /** Names of the encoded columns, `feature=level` for one-hot ones. */
  get columnNames(): string[] {
    return this.schema.flatMap((spec) =>
      spec.kind === 'numeric' ? [spec.name] : this.s.levels[spec.name].map((l) => `${spec.name}=${l}`),
    );
  }

  means(): Readonly<Record<string, number>> {
    return this.s.means;
  }

  transform(X: Frame): Matrix {
    const st = this.s;
    validateFrame(this.schema, X);
    const out = zeros(X.n, this.width);
    const d = out.data;
    const w = out.cols;
    let j = 0;
    for (const spec of this.schema) {
      if (spec.kind === 'numeric') {
        const v = X.columns[spec.name] as Float64Array;
        const m = st.means[spec.name];
        const sc = st.scales[spec.name];
        for (let i = 0; i < X.n; i++) d[i * w + j] = Number.isNaN(v[i]) ? 0 : (v[i] - m) / sc;
        j++;
      } else {
        const v = X.columns[spec.name] as string[];
        const lv = st.levels[spec.name];
        const pos = new Map(lv.map((l, k) => [l, k]));
        for (let i = 0; i < X.n; i++) {
          const k = pos.get(v[i]);
          if (k !== undefined) d[i * w + j + k] = 1;
        }
        j += lv.length;
      }
    }
    return out;
  }

  toJSON(): PreprocessorState {
    return this.s;
  }

  static fromJSON(json: unknown): TabularPreprocessor {
    const st = json as PreprocessorState;
    if (!st || !Array.isArray(st.schema) || typeof st.means !== 'object' || typeof st.scales !== 'object' || typeof st.levels !== 'object') {
      throw new Error('corrupted preprocessor state');
    }
    for (const spec of st.schema) {
      if (typeof spec?.name !== 'string' || (spec.kind !== 'numeric' && spec.kind !== 'categorical')) {
        throw new Error('corrupted preprocessor schema');
      }
      const ok =
        spec.kind === 'numeric'
          ? Number.isFinite(st.means[spec.name]) && Number.isFinite(st.scales[spec.name]) && st.scales[spec.name] > 0
          : Array.isArray(st.levels[spec.name]) && st.levels[spec.name].every((l) => typeof l === 'string');
      if (!ok) throw new Error(`corrupted preprocessor state for column "${spec.name}"`);
    }
    const p = new TabularPreprocessor(st.schema);
    p.state = { schema: st.schema.map((s) => ({ ...s })), means: { ...st.means }, scales: { ...st.scales }, levels: { ...st.levels } };
    return p;
  }
}
