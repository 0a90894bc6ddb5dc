/**
 * Which old versions go (`retention gc`). Kept: the active model, the last `keep` model versions
 * and the last `keep` data set versions, everything another record names (a digest run, a
 * campaign), and the data set of every kept model. Everything else is deleted, models before
 * their data sets.
 */
import type { Store, VersionInventory } from './ports.ts';

export const DEFAULT_KEEP_VERSIONS = 3;

export type KeepReason = 'active' | 'recent' | 'referenced' | 'used by a kept model';

export interface RetentionPlan {
  keep: {
    models: { version: number; why: KeepReason[] }[];
    datasets: { version: number; why: KeepReason[] }[];
  };
  drop: {
    models: VersionInventory['models'];
    datasets: VersionInventory['datasets'];
  };
}

export function planRetention(inv: VersionInventory, keep: number): RetentionPlan {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a whole number ≥ 1, got ${keep}`);
  const why = new Map<string, Set<KeepReason>>();
  const mark = (kind: 'm' | 'd', version: number, reason: KeepReason) => {
    const key = `${kind}${version}`;
    why.set(key, (why.get(key) ?? new Set()).add(reason));
  };
  const newest = <T extends { version: number }>(xs: T[]) => [...xs].sort((a, b) => b.version - a.version).slice(0, keep);

  if (inv.activeModel !== null) mark('m', inv.activeModel, 'active');
  for (const m of newest(inv.models)) mark('m', m.version, 'recent');
  for (const v of inv.referencedModels) mark('m', v, 'referenced');
  for (const d of newest(inv.datasets)) mark('d', d.version, 'recent');
  for (const v of inv.referencedDatasets) mark('d', v, 'referenced');
  for (const m of inv.models) if (why.has(`m${m.version}`)) mark('d', m.datasetVersion, 'used by a kept model');

  const kept = (kind: 'm' | 'd', version: number) => why.has(`${kind}${version}`);
  const reasons = (kind: 'm' | 'd', version: number) => [...why.get(`${kind}${version}`)!];
  return {
    keep: {
      models: inv.models.filter((m) => kept('m', m.version)).map((m) => ({ version: m.version, why: reasons('m', m.version) })),
      datasets: inv.datasets.filter((d) => kept('d', d.version)).map((d) => ({ version: d.version, why: reasons('d', d.version) })),
    },
    drop: {
      models: inv.models.filter((m) => !kept('m', m.version)),
      datasets: inv.datasets.filter((d) => !kept('d', d.version)),
    },
  };
}

export interface GcOutcome {
  plan: RetentionPlan;
  dryRun: boolean;
  vacuumed: boolean;
  before: { bytes: number; freeBytes: number };
  after: { bytes: number; freeBytes: number };
}

/**
 * Applies the plan one version per transaction (a crash leaves each version whole or gone). Without
 * `vacuum` the freed pages stay in the file for the next ingest to reuse: the file stops growing
 * instead of shrinking, and nothing needs exclusive access.
 */
export async function collectGarbage(store: Store, opts: { keep: number; dryRun: boolean; vacuum?: boolean }): Promise<GcOutcome> {
  const before = await store.retention.fileStats();
  const plan = planRetention(await store.retention.inventory(), opts.keep);
  if (opts.dryRun) return { plan, dryRun: true, vacuumed: false, before, after: before };
  for (const m of plan.drop.models) await store.retention.deleteModel(m.version);
  for (const d of plan.drop.datasets) await store.retention.deleteDataset(d.version);
  if (opts.vacuum) await store.retention.vacuum();
  return { plan, dryRun: false, vacuumed: Boolean(opts.vacuum), before, after: await store.retention.fileStats() };
}
