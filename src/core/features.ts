import { FEATURES, type Customer, type FeatureName } from './domain.ts';
import type { ColumnSpec, Frame } from '../ml/index.ts';

export const FEATURE_SCHEMA: ColumnSpec[] = FEATURES.map((f) => ({ name: f.name, kind: f.kind }));

/** Model-side value of a feature: booleans become the same words the source file used. */
export function featureValue(c: Customer, name: FeatureName): number | string {
  const v = c[name];
  if (typeof v === 'boolean') return v ? 'да' : 'нет';
  return v;
}

/** Columnar frame of the model features, in the order of `customers`. */
export function toFrame(customers: readonly Customer[]): Frame {
  const n = customers.length;
  const columns: Frame['columns'] = {};
  for (const f of FEATURES) {
    if (f.kind === 'numeric') {
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) col[i] = customers[i][f.name] as number;
      columns[f.name] = col;
    } else {
      const col = new Array<string>(n);
      for (let i = 0; i < n; i++) col[i] = String(featureValue(customers[i], f.name));
      columns[f.name] = col;
    }
  }
  return { n, columns };
}

/** Labels as 0/1; throws when a customer has none (scoring-only files cannot train). */
export function toLabels(customers: readonly Customer[]): Uint8Array {
  const y = new Uint8Array(customers.length);
  customers.forEach((c, i) => {
    if (c.label === null) throw new Error(`customer ${c.id} has no label`);
    y[i] = c.label;
  });
  return y;
}
