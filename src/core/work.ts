/** BackgroundWork done in place, on the caller's thread: the CLI's way, and what a worker runs. */
import { loadStoredModel, type LoadedModel } from './activeModel.ts';
import { NotFoundError } from './errors.ts';
import { explainRows } from './explanations.ts';
import { toFrame } from './features.ts';
import type { BackgroundWork, Store } from './ports.ts';
import { storeSegmentsOf } from './portfolio.ts';

export function inProcessWork(store: Store): BackgroundWork {
  // The last model explained with: a worker serves one version at a time.
  let loaded: LoadedModel | null = null;
  const modelOf = async (version: number): Promise<LoadedModel> => {
    if (loaded?.meta.version !== version) loaded = await loadStoredModel(store, version);
    if (!loaded) throw new NotFoundError('model', String(version));
    return loaded;
  };
  return {
    async buildSegments(modelVersion, settings) {
      await storeSegmentsOf(store, modelVersion, settings);
    },
    async explain(modelVersion, ids, opts) {
      const m = await modelOf(modelVersion);
      const customers = await Promise.all(
        ids.map(async (id) => {
          const c = await store.datasets.customer(m.meta.datasetVersion, id);
          if (!c) throw new NotFoundError('customer', String(id));
          return c;
        }),
      );
      const X = toFrame(customers);
      const drivers = opts?.every
        ? customers.map((_, i) => m.model.explain(X, i).map((d) => ({ feature: d.feature, contribution: d.contribution })))
        : explainRows(m.model, X, customers.keys());
      return customers.map((c, i) => ({ id: c.id, drivers: drivers[i] }));
    },
  };
}
