/**
 * The domain model: one regular customer of «В один клик» after cleaning and pivoting,
 * and the features the model sees. Field names are English; the Russian source columns
 * live in the CSV adapter, the Russian labels in messages.ts.
 */

export type ServiceType = 'премиум' | 'стандарт';

export interface Customer {
  id: number;
  /** 1 = «Снизилась», 0 = «Прежний уровень», null when the file had no label column. */
  label: 0 | 1 | null;
  serviceType: ServiceType;
  allowNotify: boolean;
  marketActive6m: number;
  marketActiveCurrent: number;
  tenureDays: number;
  promoShare: number;
  popularCategory: string;
  categoriesPerVisit: number;
  unpaidItems: number;
  serviceErrors: number;
  pagesPerVisit: number;
  revenuePrePrev: number;
  revenuePrev: number;
  revenueCurrent: number;
  minutesPrev: number;
  minutesCurrent: number;
  /** Mean monthly profit over the last three months, from money.csv (not a model feature: it drives segments). */
  profit: number;
}

export type FeatureKind = 'numeric' | 'categorical';

/** Model inputs. Profit is deliberately absent: it is used to prioritise, not to predict. */
export const FEATURES = [
  { name: 'serviceType', kind: 'categorical' },
  { name: 'allowNotify', kind: 'categorical' },
  { name: 'marketActive6m', kind: 'numeric' },
  { name: 'marketActiveCurrent', kind: 'numeric' },
  { name: 'tenureDays', kind: 'numeric' },
  { name: 'promoShare', kind: 'numeric' },
  { name: 'popularCategory', kind: 'categorical' },
  { name: 'categoriesPerVisit', kind: 'numeric' },
  { name: 'unpaidItems', kind: 'numeric' },
  { name: 'serviceErrors', kind: 'numeric' },
  { name: 'pagesPerVisit', kind: 'numeric' },
  { name: 'revenuePrePrev', kind: 'numeric' },
  { name: 'revenuePrev', kind: 'numeric' },
  { name: 'revenueCurrent', kind: 'numeric' },
  { name: 'minutesPrev', kind: 'numeric' },
  { name: 'minutesCurrent', kind: 'numeric' },
] as const satisfies readonly { name: keyof Customer; kind: FeatureKind }[];

export type FeatureName = (typeof FEATURES)[number]['name'];

export interface DroppedCustomer {
  id: number;
  reason: 'zero_revenue' | 'revenue_outlier';
}

/** What one ingest produced, before it is stored. */
export interface CleanDataset {
  customers: Customer[];
  dropped: DroppedCustomer[];
  /** Data rows read per file (header excluded). */
  rowsIn: Record<string, number>;
  /** Customers seen in market_file.csv before cleaning. */
  customersIn: number;
}

export interface DatasetVersion {
  version: number;
  createdAt: string;
  source: string;
  customersIn: number;
  customersKept: number;
  positives: number;
}

export interface ModelVersion {
  version: number;
  datasetVersion: number;
  createdAt: string;
  /** Family name of the chosen model, e.g. "logistic". */
  family: string;
  params: Record<string, unknown>;
  cvAuc: number;
  cvAucStd: number;
  /** Everything the training report holds (per-family results, Brier, reliability table…). */
  metrics: Record<string, unknown>;
  scoredCustomers: number;
}

export interface CustomerScore {
  id: number;
  probability: number;
}
