import type { Contribution } from '../ml/index.ts';
import type { Customer, FeatureName } from './domain.ts';
import { NotFoundError } from './errors.ts';
import { toFrame } from './features.ts';
import type { Store } from './ports.ts';
import type { LoadedModel } from './activeModel.ts';
import type { FeatureStats } from './training.ts';
import type { IndirectReading, IndirectSignals } from './indirect.ts';

export type Band = 'low' | 'medium' | 'high';

export interface BandThresholds {
  medium: number;
  high: number;
}

export function bandOf(p: number, t: BandThresholds): Band {
  if (p >= t.high) return 'high';
  if (p >= t.medium) return 'medium';
  return 'low';
}

export interface Driver {
  feature: FeatureName;
  /** Signed, in probability points (0.12 = +12 п.п.). */
  contribution: number;
  value: number | string;
  /** Mean (numeric) or most common value (categorical) over the training customers. */
  typical: number | string | undefined;
  /**
   * Set when the feature is an indirect signal under the model (src/core/indirect.ts): the answer
   * then says what it likely stands for, and nothing picks it as the reason for an offer.
   */
  indirect?: IndirectReading;
}

export interface RiskAssessment {
  customer: Customer;
  probability: number;
  /**
   * Share of «Снизилась» among the training customers: where explanations start from. The shown
   * probability is this plus every feature's contribution, so `probability − baseRate − Σ drivers`
   * is what the features not listed add (and the gap between the refitted model and the stored score).
   */
  baseRate: number;
  band: Band;
  drivers: Driver[];
  /** Every contribution the explanation has, strongest first (the drivers are the top of it). */
  contributions?: Contribution[];
  modelVersion: number;
}

/** A customer of the given model's data set with its stored score; NotFoundError with the nearest ids otherwise. */
export async function lookupCustomer(store: Store, loaded: LoadedModel, id: number): Promise<{ customer: Customer; probability: number }> {
  const { meta, model } = loaded;
  const customer = Number.isSafeInteger(id) ? await store.datasets.customer(meta.datasetVersion, id) : null;
  if (!customer) {
    const near = Number.isSafeInteger(id) ? await store.datasets.nearestIds(meta.datasetVersion, id, 3) : [];
    throw new NotFoundError('customer', String(id), near.map(String));
  }
  const probability = (await store.models.score(meta.version, id)) ?? model.predictProba(toFrame([customer]))[0];
  return { customer, probability };
}

/** Share of «Снизилась» among the training customers of the model's data set (`fallback` when it has none). */
export async function baseRateOf(store: Store, loaded: LoadedModel, fallback: number): Promise<number> {
  const dataset = await store.datasets.get(loaded.meta.datasetVersion);
  return dataset && dataset.customersKept > 0 ? dataset.positives / dataset.customersKept : fallback;
}

/** The strongest contributions as drivers, with the customer's value and the typical one beside each. */
export function describeDrivers(
  contributions: readonly Contribution[],
  customer: Customer,
  stats: LoadedModel['stats'],
  maxDrivers = 5,
  indirect?: IndirectSignals,
): Driver[] {
  return contributions.slice(0, maxDrivers).map((d) => {
    const driver = driverOf(customer, stats, d.feature as FeatureName, d.contribution);
    const reading = indirect?.get(d.feature);
    return reading ? { ...driver, indirect: reading } : driver;
  });
}

/**
 * The strongest driver that raises the risk and may be given as the reason for an offer or a call:
 * an indirect signal is skipped (the next one is taken), since acting on «few service errors»
 * would act on a symptom of low activity. Any order in; null when none qualifies.
 */
export function strongestReason<D extends { feature: string; contribution: number; indirect?: IndirectReading }>(
  drivers: readonly D[],
  /** For bare contributions; a Driver carries its own mark. */
  indirect?: IndirectSignals,
): D | null {
  let best: D | null = null;
  for (const d of drivers) {
    if (!(d.contribution > 0) || d.indirect || indirect?.has(d.feature)) continue;
    if (best === null || d.contribution > best.contribution) best = d;
  }
  return best;
}

/** A feature's pull on one customer's risk, with the customer's value and the training customers' typical one. */
export function driverOf(customer: Customer, stats: FeatureStats, feature: FeatureName, contribution: number): Driver {
  const s = stats[feature];
  const raw = customer[feature];
  return {
    feature,
    contribution,
    value: typeof raw === 'boolean' ? (raw ? 'да' : 'нет') : raw,
    typical: s?.mean ?? s?.mode,
  };
}
