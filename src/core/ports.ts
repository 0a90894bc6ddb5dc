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
import type { Contribution } from '../ml/index.ts';
import type { Reply } from './reply.ts';
import type { SegmentAggregate, SegmentCode, SegmentCutoffs, SegmentMember, SegmentSettings, SegmentTables } from './segments.ts';

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

/** One customer's drivers under one model version, as the explainer returned them (strongest first, the top few). */
export interface CustomerExplanation {
  id: number;
  drivers: Contribution[];
}

/** What training derives from a model's scores, written in the same transaction as the model. */
export interface DerivedTables {
  segments: SegmentTables;
  /** Precomputed explanations (empty when they are computed on demand or cached on first use). */
  explanations: CustomerExplanation[];
}

export interface ModelRepository {
  /**
   * Saves the model with the scores of its data set, its segments and any precomputed
   * explanations, and makes it active, all in one transaction: a reader sees all of it or none.
   */
  saveAndActivate(model: NewModel, scores: CustomerScore[], derived: DerivedTables): ModelVersion;
  get(version: number): StoredModel | null;
  /** A version's metadata without reading its artifact (cheap, and readable even when the artifact is corrupted). */
  meta(version: number): ModelVersion | null;
  list(): (ModelVersion & { active: boolean })[];
  activeVersion(): number | null;
  /** Switches the active pointer (rollback); throws NotFoundError for an unknown version. */
  activate(version: number): void;
  score(modelVersion: number, customerId: number): number | null;
  /** All scores of a model version, ordered by id. */
  scores(modelVersion: number): CustomerScore[];
}

/** A model version's stored segments for one set of segment settings. */
export interface SegmentSet {
  id: number;
  modelVersion: number;
  datasetVersion: number;
  population: number;
  settings: SegmentSettings;
  cutoffs: SegmentCutoffs;
}

/**
 * Segments precomputed per model version (src/core/segments.ts buildSegmentTables): answers read
 * a handful of rows by primary key, never the whole data set.
 */
export interface SegmentRepository {
  /** The segments of a model version computed with these settings, or null when there are none yet. */
  find(modelVersion: number, settings: SegmentSettings): SegmentSet | null;
  /**
   * Stores segments for a model version that has none for these settings (a model stored before
   * segments were, or thresholds changed since), in one transaction. Idempotent: when another
   * process stored them first, that set is returned.
   */
  save(modelVersion: number, tables: SegmentTables): SegmentSet;
  /** SEGMENT_CODES order. */
  aggregates(set: SegmentSet): SegmentAggregate[];
  /** Members [offset, offset + limit) of one segment by priority, highest first: a primary-key range. */
  members(set: SegmentSet, code: SegmentCode, offset: number, limit: number): SegmentMember[];
}

/** Explanations kept per (model version, customer): precomputed at train time or cached on first use. */
export interface ExplanationRepository {
  get(modelVersion: number, id: number): Contribution[] | null;
  /** Write-once: an explanation already stored for the key is kept. */
  put(modelVersion: number, rows: readonly CustomerExplanation[]): void;
}

/** Which versions exist and which other records point at them: what a retention policy decides from. */
export interface VersionInventory {
  models: { version: number; datasetVersion: number; createdAt: string; rows: number }[];
  datasets: { version: number; createdAt: string; rows: number }[];
  activeModel: number | null;
  /** Model and data set versions named by other records (digest runs, campaigns…): never removed. */
  referencedModels: number[];
  referencedDatasets: number[];
}

/** Removal of old versions (`retention gc`). */
export interface RetentionRepository {
  inventory(): VersionInventory;
  /** Deletes a model version with its scores, segments and explanations; refuses the active one. */
  deleteModel(version: number): void;
  /** Deletes a data set version with its customers; refuses while a model still uses it. */
  deleteDataset(version: number): void;
  /** Rewrites the file so freed pages go back to the file system; needs exclusive access for its duration. */
  vacuum(): void;
  /** Size of the store and how much of it is free pages (reused by later writes). */
  fileStats(): { bytes: number; freeBytes: number };
}

export interface Store {
  readonly datasets: DatasetRepository;
  readonly models: ModelRepository;
  readonly segments: SegmentRepository;
  readonly explanations: ExplanationRepository;
  readonly retention: RetentionRepository;
  readonly audit: AuditLog;
  readonly subscribers: SubscriberRepository;
  readonly digests: DigestRunRepository;
  close(): void;
}

/**
 * Work too long for the answering event loop, done elsewhere (a worker pool) when the app runs
 * one, or in place. Both calls may be retried: they only compute, or write idempotently.
 */
export interface BackgroundWork {
  /** Computes and stores the segments of a model version for these settings (see SegmentRepository.save). */
  buildSegments(modelVersion: number, settings: SegmentSettings): Promise<void>;
  /** Explanations of customers of the model version's data set, in the order of `ids`. */
  explain(modelVersion: number, ids: readonly number[]): Promise<CustomerExplanation[]>;
}

/** Reads and cleans the four CSV files of a data set; throws DataError listing every problem. */
export interface DatasetReader {
  readDir(dir: string, opts?: { requireLabel?: boolean }): Promise<CleanDataset>;
  readFiles(files: Record<string, Buffer>, opts?: { requireLabel?: boolean }): Promise<CleanDataset>;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface AuditEntry {
  /** ISO timestamp. */
  at: string;
  userId: number;
  chatId: number;
  /** What was asked: a command with its arguments, `callback …`, `upload …`; never a secret. */
  action: string;
}

/** Append-only record of who asked the bot what, and when. */
export interface AuditLog {
  record(entry: Omit<AuditEntry, 'at'>): void;
  /** The latest entries, newest first. */
  recent(limit: number): AuditEntry[];
}

/**
 * Trains and activates a model on a stored data set somewhere that does not block the caller
 * (another process). Resolves with the version it activated; rejects with TrainingFailedError,
 * or with the signal's reason when aborted — the previous model stays active in both cases.
 */
export interface ModelTrainer {
  train(datasetVersion: number, signal?: AbortSignal): Promise<{ modelVersion: number }>;
}

/** What an uploaded file is, told from its name and first bytes before the full read. */
export interface UploadInspector {
  /** The data set's file names, in the order users see them listed. */
  readonly fileNames: readonly string[];
  /** The data-set file name this upload stands for, 'archive' for a ZIP, null for anything else. */
  classify(fileName: string): string | 'archive' | null;
  /** Whether the bytes cannot be a text CSV (spreadsheets, images, random binary). */
  isBinary(bytes: Uint8Array): boolean;
}

// ---------------------------------------------------------------- weekly digest

export interface Subscriber {
  chatId: number;
  userId: number;
  subscribedAt: string;
}

/** Chats that receive the weekly digest. */
export interface SubscriberRepository {
  /** Returns false when the chat was already subscribed. */
  subscribe(chatId: number, userId: number): boolean;
  /** 'blocked' when Telegram says the bot can no longer write there. Returns false when not subscribed. */
  unsubscribe(chatId: number, reason: 'user' | 'blocked'): boolean;
  isSubscribed(chatId: number): boolean;
  /** Active subscribers, by chat id. */
  active(): Subscriber[];
}


/** What a digest was computed from, kept so next week's digest can say what changed. */
export interface DigestSnapshot {
  modelVersion: number;
  datasetVersion: number;
  /** Customers at high risk, ascending. */
  atRiskIds: number[];
}

export interface DigestRun extends DigestSnapshot {
  /** ISO week key, e.g. '2026-W48'. */
  period: string;
  trigger: string;
  startedAt: string;
  /** Null while some chat still waits for its copy (a crash or an outage interrupted the run). */
  finishedAt: string | null;
}

export interface NewDigestRun extends DigestSnapshot {
  period: string;
  trigger: string;
  parts: Reply[];
}

export type DeliveryStatus = 'pending' | 'sent' | 'blocked' | 'failed' | 'skipped';

export interface DigestDelivery {
  chatId: number;
  status: DeliveryStatus;
  /** How many parts this chat already has: a resumed run continues from here. */
  partsSent: number;
  attempts: number;
  error: string | null;
}

/** Exclusive right to send a period's digest until `until` (ISO), so two processes never both send. */
export interface DigestLease {
  owner: string;
  until: string;
}

/** Digest runs with their frozen content and per-chat delivery state. */
export interface DigestRunRepository {
  get(period: string): DigestRun | null;
  /** The latest run of an earlier period: what a new digest is compared with. */
  previous(period: string): DigestRun | null;
  /** At-risk counts of up to `limit` runs before `period`, oldest first. */
  history(period: string, limit: number): { period: string; atRiskCount: number }[];
  /** Records a new run holding the lease; false when the period already has one. */
  create(run: NewDigestRun, lease: DigestLease, now: string): boolean;
  /** New content for an existing run; every delivery goes back to pending (a forced resend). */
  replace(run: NewDigestRun, now: string): void;
  /** Takes or renews the lease; false while another owner holds an unexpired one. */
  acquire(period: string, lease: DigestLease, now: string): boolean;
  release(period: string, owner: string): void;
  parts(period: string): Reply[];
  /** Adds a pending delivery for every chat that has none; returns how many were added. */
  enqueue(period: string, chatIds: readonly number[], now: string): number;
  /** Puts failed deliveries back to pending; returns how many. */
  requeueFailed(period: string, now: string): number;
  deliveries(period: string): DigestDelivery[];
  markProgress(period: string, chatId: number, partsSent: number, now: string): void;
  markFinal(period: string, chatId: number, status: Exclude<DeliveryStatus, 'pending'>, error: string | null, now: string): void;
  markAttempt(period: string, chatId: number, error: string, now: string): void;
  finish(period: string, now: string): void;
}

/** Sends one digest part to one chat; throws RecipientUnavailableError or DeliveryRejectedError (core/digest/errors.ts). */
export interface DigestTransport {
  send(chatId: number, part: Reply): Promise<void>;
}
