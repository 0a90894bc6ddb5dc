/** Declared kind of one raw input column. */
export interface ColumnSpec {
  name: string;
  kind: 'numeric' | 'categorical';
}

/** Columnar table: numeric columns are Float64Array, categorical ones string[]; every column has `n` entries. */
export interface Frame {
  n: number;
  columns: Record<string, Float64Array | string[]>;
}

/** Dense row-major matrix: entry (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}
