import type { Estimator, Params } from './estimator.ts';
import { LogisticRegression, type LogisticParams } from './families/logistic.ts';
import type { Matrix } from './types.ts';

/** A model family the search knows: how to build one and which configurations to try. */
export interface Family {
  name: string;
  make(params: Params): Estimator<Matrix>;
  /** Candidate configurations for a training set of `n` rows. */
  grid(n: number): Params[];
}

const logistic: Family = {
  name: 'logistic',
  make: (p) => new LogisticRegression(p as Partial<LogisticParams>),
  grid: () => [
    ...[0.01, 0.03, 0.1, 0.3, 1, 10].map((C) => ({ penalty: 'l2', C })),
    ...[0.03, 0.1, 1].map((C) => ({ penalty: 'l1', C })),
  ],
};

const FAMILIES = new Map<string, Family>([[logistic.name, logistic]]);

export function registerFamily(f: Family): void {
  FAMILIES.set(f.name, f);
}

export function getFamily(name: string): Family {
  const f = FAMILIES.get(name);
  if (!f) throw new Error(`unknown model family "${name}" (known: ${[...FAMILIES.keys()].join(', ')})`);
  return f;
}

export function familyNames(): string[] {
  return [...FAMILIES.keys()];
}
