import type { ColumnSpec, Frame } from './types.ts';

/** Throws a clear Error when `X` does not carry the columns `schema` declares, with the right types and lengths. */
export function validateFrame(schema: readonly ColumnSpec[], X: Frame): void {
  if (!X || typeof X !== 'object' || !Number.isInteger(X.n) || X.n < 0 || !X.columns) {
    throw new Error('frame must be { n, columns }');
  }
  for (const spec of schema) {
    const col = X.columns[spec.name];
    if (col === undefined) throw new Error(`frame has no column "${spec.name}"`);
    if (col.length !== X.n) throw new Error(`column "${spec.name}" has ${col.length} values, frame has ${X.n} rows`);
    if (spec.kind === 'numeric' && !(col instanceof Float64Array)) {
      throw new Error(`numeric column "${spec.name}" must be a Float64Array`);
    }
    if (spec.kind === 'categorical' && !Array.isArray(col)) {
      throw new Error(`categorical column "${spec.name}" must be a string array`);
    }
  }
}

export function takeFrameRows(X: Frame, idx: ArrayLike<number>): Frame {
  const columns: Frame['columns'] = {};
  for (const [name, col] of Object.entries(X.columns)) {
    if (col instanceof Float64Array) {
      const out = new Float64Array(idx.length);
      for (let k = 0; k < idx.length; k++) out[k] = col[idx[k]];
      columns[name] = out;
    } else {
      const out = new Array<string>(idx.length);
      for (let k = 0; k < idx.length; k++) out[k] = col[idx[k]];
      columns[name] = out;
    }
  }
  return { n: idx.length, columns };
}

/** Copy of `X` whose column `name` is replaced; other columns are shared, not copied. */
export function withColumn(X: Frame, name: string, col: Float64Array | string[]): Frame {
  return { n: X.n, columns: { ...X.columns, [name]: col } };
}

/**
 * Group id per row: rows identical on every schema column share the id of the first of them.
 * The shop's file repeats some customers under new ids; cross-validation keeps such twins together.
 */
export function duplicateGroups(schema: readonly ColumnSpec[], X: Frame): Int32Array {
  const first = new Map<string, number>();
  const out = new Int32Array(X.n);
  for (let i = 0; i < X.n; i++) {
    const key = JSON.stringify(schema.map((s) => X.columns[s.name][i]));
    let g = first.get(key);
    if (g === undefined) first.set(key, (g = i));
    out[i] = g;
  }
  return out;
}
