/**
 * Storage ports the core owns. SQLite implements them today (src/data/sqlite); another
 * store (PostgreSQL) can replace it without touching the core, the bot or the console.
 */
import type {
  CleanDataset,
  Customer,
  CustomerScore,
  DatasetVersion,
  DroppedCustomer,
  ModelVersion,
} from './domain.ts';

export interface DatasetRepository {
  /** Stores a cleaned data set as a new immutable version, in one transaction. */
  create(data: CleanDataset, source: string): DatasetVersion;
  get(version: number): DatasetVersion | null;
  latest(): DatasetVersion | null;
  list(): DatasetVersion[];
  /** Every customer of a version, ordered by id. */
  customers(version: number): Customer[];
  customer(version: number, id: number): Customer | null;
  /** Known ids closest to `id` numerically, closest first (for «клиент не найден» hints). */
  nearestIds(version: number, id: number, n: number): number[];
  dropped(version: number): DroppedCustomer[];
}

export interface NewModel {
  datasetVersion: number;
  family: string;
  params: Record<string, unknown>;
  cvAuc: number;
  cvAucStd: number;
  metrics: Record<string, unknown>;
  /** The serialized model (src/ml toJSON), stored as JSON text. */
  artifact: unknown;
}

export interface StoredModel {
  meta: ModelVersion;
  artifact: unknown;
}

export interface ModelRepository {
  /** Saves the model with the scores of its data set and makes it active, all in one transaction. */
  saveAndActivate(model: NewModel, scores: CustomerScore[]): ModelVersion;
  get(version: number): StoredModel | null;
  list(): (ModelVersion & { active: boolean })[];
  activeVersion(): number | null;
  /** Switches the active pointer (rollback); throws NotFoundError for an unknown version. */
  activate(version: number): void;
  score(modelVersion: number, customerId: number): number | null;
  /** All scores of a model version, ordered by id. */
  scores(modelVersion: number): CustomerScore[];
}

export interface Store {
  readonly datasets: DatasetRepository;
  readonly models: ModelRepository;
  close(): void;
}

/** Reads and cleans the four CSV files of a data set; throws DataError listing every problem. */
export interface DatasetReader {
  readDir(dir: string, opts?: { requireLabel?: boolean }): Promise<import('./domain.ts').CleanDataset>;
  readFiles(files: Record<string, Buffer>, opts?: { requireLabel?: boolean }): Promise<import('./domain.ts').CleanDataset>;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}
