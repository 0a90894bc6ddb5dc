/**
 * A store with some repository methods replaced and the rest inherited: how a test counts, or
 * forbids, what an answer reads without touching the real store.
 */
import type { Store } from '../../src/core/ports.ts';

export type RepositoryOverrides = { [K in keyof Store]?: Partial<Store[K]> };

export function overriding(store: Store, overrides: RepositoryOverrides): Store {
  const repositories = Object.entries(overrides).map(([name, methods]) => {
    const methodProps = Object.fromEntries(Object.entries(methods as object).map(([method, fn]) => [method, { value: fn }]));
    return [name, { value: Object.create(store[name as keyof Store] as object, methodProps) }];
  });
  return Object.create(store, Object.fromEntries(repositories)) as Store;
}

/** `store` counting into `calls` its full reads: every customer of a data set, every score of a model. */
export function countingFullReads<C extends { customers: number; scores: number }>(store: Store, calls: C, extra: RepositoryOverrides = {}): { calls: C; store: Store } {
  return {
    calls,
    store: overriding(store, {
      ...extra,
      datasets: { ...extra.datasets, customers: async (v) => (calls.customers++, await store.datasets.customers(v)) },
      models: { ...extra.models, scores: async (v) => (calls.scores++, await store.models.scores(v)) },
    }),
  };
}
