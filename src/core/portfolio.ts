import type { ActiveModel } from './activeModel.ts';
import type { Store } from './ports.ts';
import { segmentCutoffs, type ScoredCustomer, type SegmentCutoffs } from './segments.ts';

export interface PortfolioSnapshot {
  modelVersion: number;
  datasetVersion: number;
  scored: ScoredCustomer[];
  cutoffs: SegmentCutoffs;
}

/**
 * All customers of the active model's data set with their stored scores, built once per
 * model version: segment questions then cost a pass over memory, not a query per customer.
 */
export class Portfolio {
  private snapshot: PortfolioSnapshot | null = null;

  constructor(
    private readonly store: Store,
    private readonly active: ActiveModel,
  ) {}

  get(): PortfolioSnapshot {
    const { meta } = this.active.get();
    if (this.snapshot?.modelVersion === meta.version) return this.snapshot;
    const customers = this.store.datasets.customers(meta.datasetVersion);
    const scores = new Map(this.store.models.scores(meta.version).map((s) => [s.id, s.probability]));
    const scored = customers.map((customer) => ({ customer, probability: scores.get(customer.id) ?? NaN }));
    this.snapshot = {
      modelVersion: meta.version,
      datasetVersion: meta.datasetVersion,
      scored,
      cutoffs: segmentCutoffs(customers),
    };
    return this.snapshot;
  }
}
