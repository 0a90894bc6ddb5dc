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
  FeatureName,
  ModelVersion,
} from './domain.ts';
import type { Contribution } from '../ml/index.ts';
import type { FileProblem } from './errors.ts';
import type { Reply } from './reply.ts';
import type {
  OfferCode,
  SegmentAggregate,
  SegmentCode,
  SegmentCombination,
  SegmentCutoffs,
  SegmentMember,
  SegmentSettings,
  SegmentTables,
} from './segments.ts';

/**
 * Takes a data set's kept customers while its files are still being read, in the order the data
 * set will list them, so a store can be writing them while the reader parses the rest.
 */
export interface CustomerSink {
  /** One kept customer; `c` may be one reused object, valid only during the call. */
  write(c: Readonly<Customer>): void;
  /** Resolves when the sink wants more (its writes are buffered until then); the reader waits for it between chunks. */
  ready(): Promise<void>;
}

export interface DatasetRepository {
  /** Stores a cleaned data set as a new immutable version, in one transaction. */
  create(data: CleanDataset, source: string): Promise<DatasetVersion>;
  /**
   * Stores what `read` returns as `create` does, taking its customers through the sink while it
   * still reads; in one transaction, so a `read` that throws (or returns customers other than those
   * it wrote) leaves nothing behind. Optional: a store without it is given the data set at the end.
   */
  createWhileReading?(source: string, read: (sink: CustomerSink) => Promise<CleanDataset>): Promise<{ dataset: DatasetVersion; data: CleanDataset }>;
  get(version: number): Promise<DatasetVersion | null>;
  latest(): Promise<DatasetVersion | null>;
  list(): Promise<DatasetVersion[]>;
  /** Every customer of a version, ordered by id. */
  customers(version: number): Promise<Customer[]>;
  customer(version: number, id: number): Promise<Customer | null>;
  /** Known ids closest to `id` numerically, closest first (for «клиент не найден» hints). */
  nearestIds(version: number, id: number, n: number): Promise<number[]>;
  dropped(version: number): Promise<DroppedCustomer[]>;
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
  /**
   * What the drivers add up from: the explained model's mean prediction over its background, so
   * probability = base + Σ drivers. Per customer, because a training customer is explained by the
   * fold model that did not see them.
   */
  base?: number | null;
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
  saveAndActivate(model: NewModel, scores: CustomerScore[], derived: DerivedTables): Promise<ModelVersion>;
  get(version: number): Promise<StoredModel | null>;
  /** A version's metadata without reading its artifact (cheap, and readable even when the artifact is corrupted). */
  meta(version: number): Promise<ModelVersion | null>;
  list(): Promise<(ModelVersion & { active: boolean })[]>;
  activeVersion(): Promise<number | null>;
  /** Switches the active pointer (rollback); throws NotFoundError for an unknown version. */
  activate(version: number): Promise<void>;
  score(modelVersion: number, customerId: number): Promise<number | null>;
  /** All scores of a model version, ordered by id. */
  scores(modelVersion: number): Promise<CustomerScore[]>;
}

/** A model version's stored segments for one set of segment settings. */
export interface SegmentSet {
  id: number;
  modelVersion: number;
  datasetVersion: number;
  population: number;
  settings: SegmentSettings;
  cutoffs: SegmentCutoffs;
  /**
   * How many customers score exactly `settings.highRisk`: in the high band (≥), which the week's call
   * list draws from, but not in the at-risk segment (>). Almost always 0.
   */
  atThreshold: number;
}

/**
 * Segments precomputed per model version (src/core/segments.ts buildSegmentTables): answers read
 * a handful of rows by primary key, never the whole data set.
 */
export interface SegmentRepository {
  /** The segments of a model version computed with these settings, or null when there are none yet. */
  find(modelVersion: number, settings: SegmentSettings): Promise<SegmentSet | null>;
  /**
   * Stores segments for a model version that has none for these settings (a model stored before
   * segments were, or thresholds changed since), in one transaction. Idempotent: when another
   * process stored them first, that set is returned.
   */
  save(modelVersion: number, tables: SegmentTables): Promise<SegmentSet>;
  /** SEGMENT_CODES order. */
  aggregates(set: SegmentSet): Promise<SegmentAggregate[]>;
  /** Members [offset, offset + limit) of one segment by priority, highest first: a primary-key range. */
  members(set: SegmentSet, code: SegmentCode, offset: number, limit: number): Promise<SegmentMember[]>;
  /**
   * How many customers hold each combination of segments (SegmentTables.combinations without the
   * customers in none): at most 2^6 − 1 rows, written with the set, so the overview's overlaps never
   * read a member. Segments in SEGMENT_CODES order; any order of rows.
   */
  combinations(set: SegmentSet): Promise<SegmentCombination[]>;
  /**
   * The customers exactly at the at-risk threshold (SegmentTables.atThreshold, `set.atThreshold` of
   * them), [offset, offset + limit) by priority like `members`: with the at-risk members they are
   * the high band, in expected-loss order, that the week's call list is drawn from.
   */
  atThreshold(set: SegmentSet, offset: number, limit: number): Promise<SegmentMember[]>;
}

/** Explanations kept per (model version, customer): precomputed at train time or cached on first use. */
export interface ExplanationRepository {
  get(modelVersion: number, id: number): Promise<Contribution[] | null>;
  /** The stored explanation's base, or null (not stored, or stored without one). */
  base(modelVersion: number, id: number): Promise<number | null>;
  /** Write-once: an explanation already stored for the key is kept. */
  put(modelVersion: number, rows: readonly CustomerExplanation[]): Promise<void>;
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
  inventory(): Promise<VersionInventory>;
  /** Deletes a model version with its scores, segments and explanations; refuses the active one. */
  deleteModel(version: number): Promise<void>;
  /** Deletes a data set version with its customers; refuses while a model still uses it. */
  deleteDataset(version: number): Promise<void>;
  /** Rewrites the file so freed pages go back to the file system; needs exclusive access for its duration. */
  vacuum(): Promise<void>;
  /** Size of the store and how much of it is free pages (reused by later writes). */
  fileStats(): Promise<{ bytes: number; freeBytes: number }>;
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
  readonly campaigns: CampaignRepository;
  readonly contacts: ContactRepository;
  readonly updateClaims: UpdateClaims;
  readonly chatState: ChatStateRepository;
  readonly leases: Leases;
  close(): Promise<void>;
}

/**
 * Work too long for the answering event loop, done elsewhere (a worker pool) when the app runs
 * one, or in place. Both calls may be retried: they only compute, or write idempotently.
 */
export interface BackgroundWork {
  /** Computes and stores the segments of a model version for these settings (see SegmentRepository.save). */
  buildSegments(modelVersion: number, settings: SegmentSettings): Promise<void>;
  /**
   * Explanations of customers of the model version's data set, in the order of `ids`: the top
   * drivers an answer shows, or with `every` each feature's contribution as the model gives them
   * (what the week's call list chooses offers from).
   */
  explain(modelVersion: number, ids: readonly number[], opts?: { every?: boolean }): Promise<CustomerExplanation[]>;
}

/** Reads and cleans the four CSV files of a data set; throws DataError listing every problem. */
export interface DatasetReader {
  /** With `sink`, the kept customers are also handed to it as soon as each is final (see CustomerSink). */
  readDir(dir: string, opts?: { requireLabel?: boolean; sink?: CustomerSink }): Promise<CleanDataset>;
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
  record(entry: Omit<AuditEntry, 'at'>): Promise<void>;
  /** The latest entries, newest first. */
  recent(limit: number): Promise<AuditEntry[]>;
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
  subscribe(chatId: number, userId: number): Promise<boolean>;
  /**
   * 'blocked' when Telegram says the bot can no longer write there (blocked, kicked, chat not
   * found); 'revoked' when the subscriber lost access. Returns false when not subscribed.
   */
  unsubscribe(chatId: number, reason: UnsubscribeReason): Promise<boolean>;
  isSubscribed(chatId: number): Promise<boolean>;
  /** Active subscribers, by chat id. */
  active(): Promise<Subscriber[]>;
  /**
   * A group became a supergroup with a new id: its subscription moves there, and the new id
   * remembers the old one (see `originOf`). Returns false when the old chat was not subscribed.
   */
  migrate(fromChatId: number, toChatId: number): Promise<boolean>;
  /** The first id of a chat that migrated (itself when it never did). */
  originOf(chatId: number): Promise<number>;
}

export type UnsubscribeReason = 'user' | 'blocked' | 'revoked';


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
  /**
   * The part (0-based) a sender started sending and has not recorded an outcome for; null when
   * none. Left set only by a sender that died mid-send: Telegram may or may not have that part.
   */
  partInFlight: number | null;
  /** Parts skipped because a dead sender left them in flight: the chat may lack them, never has them twice. */
  partsLost: number;
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
  get(period: string): Promise<DigestRun | null>;
  /** The latest run of an earlier period: what a new digest is compared with. */
  previous(period: string): Promise<DigestRun | null>;
  /** At-risk counts of up to `limit` runs before `period`, oldest first. */
  history(period: string, limit: number): Promise<{ period: string; atRiskCount: number }[]>;
  /** Records a new run holding the lease; false when the period already has one. */
  create(run: NewDigestRun, lease: DigestLease, now: string): Promise<boolean>;
  /** New content for an existing run; every delivery goes back to pending (a forced resend). */
  replace(run: NewDigestRun, now: string): Promise<void>;
  /** Takes or renews the lease; false while another owner holds an unexpired one. */
  acquire(period: string, lease: DigestLease, now: string): Promise<boolean>;
  release(period: string, owner: string): Promise<void>;
  parts(period: string): Promise<Reply[]>;
  /** Adds a pending delivery for every chat that has none; returns how many were added. */
  enqueue(period: string, chatIds: readonly number[], now: string): Promise<number>;
  /** Puts failed deliveries back to pending; returns how many. */
  requeueFailed(period: string, now: string): Promise<number>;
  deliveries(period: string): Promise<DigestDelivery[]>;
  /** Records that `part` is about to be sent to the chat, before the send starts. */
  markInFlight(period: string, chatId: number, part: number, now: string): Promise<void>;
  /** The chat has `partsSent` parts; clears the part in flight. */
  markProgress(period: string, chatId: number, partsSent: number, now: string): Promise<void>;
  /**
   * Gives up the part a dead sender left in flight: the chat goes on from the next part, the part
   * counts as possibly lost and `error` says so. Does nothing unless `part` is the one in flight.
   */
  markLost(period: string, chatId: number, part: number, error: string, now: string): Promise<void>;
  /** Ends the chat's delivery; clears the part in flight (this process knows how the send ended). */
  markFinal(period: string, chatId: number, status: Exclude<DeliveryStatus, 'pending'>, error: string | null, now: string): Promise<void>;
  /** A send that failed for now (an outage): the part is no longer in flight and is sent again on resume. */
  markAttempt(period: string, chatId: number, error: string, now: string): Promise<void>;
  finish(period: string, now: string): Promise<void>;
}

/** Sends one digest part to one chat; throws RecipientUnavailableError or DeliveryRejectedError (core/digest/errors.ts). */
export interface DigestTransport {
  send(chatId: number, part: Reply): Promise<void>;
}

// ---------------------------------------------------------------- retention campaign

/** Offers a campaign makes: every segment offer except «no action needed». */
export type CampaignOffer = Exclude<OfferCode, 'keep'>;

/** treated: on the week's call list; control: held out at random, never shown nor contacted. */
export type CampaignArm = 'treated' | 'control';

/** What came of one call: the offer was made, nobody answered, or the customer refused it. */
export type OutreachStatus = 'offered' | 'no_answer' | 'declined';

/** How a week's plan was drawn; everything needed to explain (or redo) the draw. */
export interface CampaignPlan {
  /** ISO week key in DIGEST_TIMEZONE, e.g. '2026-W48'. */
  week: string;
  createdAt: string;
  modelVersion: number;
  /** The data set the plan was scored on: outcomes are measured against a newer one. */
  datasetVersion: number;
  capacity: number;
  controlShare: number;
  cooldownDays: number;
  /** Seed of the control draw (from the week key and the configured seed). */
  seed: number;
  /** High-risk customers left after the cooldown, before the capacity cut. */
  eligible: number;
}

/** One customer of a week's plan, in either arm, frozen as it was planned. */
export interface CampaignMember {
  customerId: number;
  arm: CampaignArm;
  /** 1-based position among the week's candidates by expected loss. */
  rank: number;
  probability: number;
  profit: number;
  /** probability × profit. */
  expectedLoss: number;
  /** Control members carry the offer they would have got, so offers can be compared like for like. */
  offer: CampaignOffer;
  /** The feature the offer addresses; null when the offer follows from the value segment. */
  driver: FeatureName | null;
  /** That feature's contribution to the risk, in probability points. */
  driverContribution: number | null;
  segments: SegmentCode[];
}

/** The latest recorded outcome of contacting one planned customer in one week. */
export interface Outreach {
  week: string;
  customerId: number;
  status: OutreachStatus;
  offer: CampaignOffer;
  userId: number;
  /** ISO timestamp of the (latest) press. */
  at: string;
}

/**
 * Weekly campaign plans, their members and the calls made. A plan and its members are written once
 * and never change; outreach rows are replaced by a later press for the same (week, customer).
 */
export interface CampaignRepository {
  /**
   * Stores a week's plan with all its members in one transaction. Returns false, writing nothing,
   * when the week already has a plan (another process got there first): plans are never overwritten.
   */
  create(plan: CampaignPlan, members: readonly CampaignMember[]): Promise<boolean>;
  plan(week: string): Promise<CampaignPlan | null>;
  /** Every stored plan, oldest week first. */
  plans(): Promise<CampaignPlan[]>;
  /** Both arms of a week's plan, by rank; empty for an unknown week. */
  members(week: string): Promise<CampaignMember[]>;
  /** One member of a week's plan, either arm; null when the customer is not in it. */
  member(week: string, customerId: number): Promise<CampaignMember | null>;
  /**
   * Inserts or replaces the outcome for (week, customer); returns true when it replaced one.
   * Throws when the customer is not a member of that week's plan.
   */
  recordOutreach(outreach: Outreach): Promise<boolean>;
  /** Recorded outcomes of a week, by customer id. */
  outreach(week: string): Promise<Outreach[]>;
  /** Treated members of a week and how many of them have each latest outcome; zeros for an unknown week. */
  progress(week: string): Promise<{ planned: number; offered: number; noAnswer: number; declined: number }>;
  /** Customers reached (status offered or declined) at or after `since` (ISO), in any week; ascending, distinct. */
  contactedSince(since: string): Promise<number[]>;
  /** Control members of plans created at or after `since` (ISO); ascending, distinct. */
  heldOutSince(since: string): Promise<number[]>;
}

/** How to reach a customer, from the optional contacts.csv. */
export interface CustomerContact {
  id: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  /** Any other columns of the file, header → cell text. */
  extra: Record<string, string>;
}

/**
 * Contact details keyed by customer id, independent of data set versions: an upload without
 * contacts.csv keeps them, a new contacts.csv replaces the rows of the ids it lists.
 */
export interface ContactRepository {
  /** Inserts or replaces the given customers' contacts in one transaction; other customers' stay. Returns how many were written. */
  upsert(contacts: readonly CustomerContact[], source: string): Promise<number>;
  get(id: number): Promise<CustomerContact | null>;
  /** Contacts of those ids that have any, ascending by id. */
  byIds(ids: readonly number[]): Promise<CustomerContact[]>;
  count(): Promise<number>;
}

/** What reading a contacts.csv gave. */
export interface ContactsRead {
  file: string;
  /** Rows of known customers, in file order. */
  contacts: CustomerContact[];
  /** Rows of unknown customer ids: reported, ignored, never fatal (the first ones, by line). */
  warnings: FileProblem[];
  /** How many rows were ignored for an unknown id (may exceed warnings.length). */
  ignored: number;
}

/**
 * Reads the optional contacts.csv with the same line-level rules as the data set files: broken
 * ids, phones or e-mails and duplicate ids throw DataError listing every problem (file:line).
 * `knownIds` gives the test of which ids are customers (rows of other ids become warnings); it is
 * asked once, and only when there is a contacts file to read, so an upload without one never
 * reads the data set back.
 */
export interface ContactsReader {
  /** A contacts file, or a directory holding contacts.csv; null when the directory has none. */
  read(dirOrFile: string, knownIds: KnownIds): Promise<ContactsRead | null>;
  /** Uploaded files (loose or inside a .zip); null when none of them is contacts.csv. */
  readFiles(files: Record<string, Uint8Array>, knownIds: KnownIds): Promise<ContactsRead | null>;
}

/** Resolves with the test of which ids are customers. */
export type KnownIds = () => Promise<(id: number) => boolean>;

// ---------------------------------------------------------------- spreadsheet export

/** How a cell is typed in the spreadsheet: numbers stay numbers, percents are fractions (0.73 → 73%). */
export type CellType = 'integer' | 'number' | 'percent' | 'date' | 'datetime' | 'text';
export type CellValue = string | number | Date | null;

export interface TableColumn {
  header: string;
  type: CellType;
  /** Width in characters (xlsx only). */
  width?: number;
}

/** A typed table; each row has one value per column, null for an empty cell. */
export interface Table {
  columns: readonly TableColumn[];
  rows: readonly (readonly CellValue[])[];
}

/** Writes tables for spreadsheet users. Dates are shown as wall-clock time in `timeZone` (IANA, default UTC). */
export interface SpreadsheetWriter {
  /** An .xlsx workbook of one sheet: typed cells, frozen header row, autofilter. */
  xlsx(table: Table, opts: { sheetName: string; timeZone?: string }): Promise<Buffer>;
  /** CSV for Russian Excel: UTF-8 BOM, `;` separator, decimal comma; text that looks like a formula is neutralised. */
  csv(table: Table, opts?: { timeZone?: string }): Buffer;
}

// ---------------------------------------------------------------- webhook replicas

/**
 * Which process took each Telegram update. Telegram re-delivers an update whose webhook answer was
 * slow or not 2xx, and the load balancer may hand the copy to another replica: whoever claims an
 * update id first handles it, every later copy is acknowledged and dropped.
 *
 * Async because its only callers are the HTTP edge, and a networked store (PostgreSQL) answers
 * asynchronously; the SQLite adapter resolves at once.
 */
export interface UpdateClaims {
  /**
   * Claims `updateId` for `owner` until `until` (ISO). True for the first claim; false while an
   * unexpired claim exists, whoever holds it — the same owner included, since a copy is a copy.
   * An expired claim can be taken again: after a week without updates Telegram numbers them
   * afresh, at random, so an old id may come back as a new update. `chat` records whose update it
   * is, for `waitsFor`; a claim without one is never waited for.
   */
  claim(updateId: number, owner: string, until: string, now: string, chat?: UpdateChat): Promise<boolean>;
  /**
   * Whether an update of the same chat with a smaller id is claimed by another owner at or after
   * `since` (ISO) and not yet `done`: what must finish before this one runs, so one chat's updates
   * are handled in order whichever replicas took them. Parts of the same album never wait for each
   * other (they run side by side, as in one process); the owner's own claims are ordered by its
   * own per-chat queue, so they are not counted either.
   */
  waitsFor(updateId: number, owner: string, chat: UpdateChat, since: string): Promise<boolean>;
  /** The update was handled, or failed: the chat's later updates need not wait for it any more. */
  done(updateId: number, at: string): Promise<void>;
  /** Forgets claims that expired before `before` (ISO); returns how many. */
  prune(before: string): Promise<number>;
}

/** Whose update a claim is: the chat, and the album (media group) when it is one part of several. */
export interface UpdateChat {
  chatId: number;
  album?: string | null;
}

// ---------------------------------------------------------------- leases shared by processes

/**
 * Named exclusive rights shared by every process on the store, held until a time and renewed
 * while the work lasts: a holder that dies loses its lease when it expires, never forever.
 */
export interface Leases {
  /**
   * Takes `name` for `owner` until `until` (ISO), or renews it when `owner` holds it already.
   * False, changing nothing, while another owner's lease on it is unexpired at `now` — unless that
   * owner is `replacing` (a holder the caller knows is dead), whose lease is taken over.
   */
  acquire(name: string, owner: string, until: string, now: string, replacing?: string): Promise<boolean>;
  /** The owner of the unexpired lease on `name` at `now`, or null. */
  holder(name: string, now: string): Promise<string | null>;
  /** Gives the lease up when `owner` holds it; another owner's is left alone. */
  release(name: string, owner: string): Promise<void>;
}

// ---------------------------------------------------------------- chat state shared by replicas

/** A file of an upload in progress. */
export interface StagedFile {
  /** The data-set file it stands for (market_file.csv …). */
  role: string;
  /** The name it was sent under. */
  fileName: string;
  bytes: Buffer;
}

/**
 * What one update leaves for the chat's next: the pending question, the files of an upload in
 * progress, this minute's request count, the one-off notices already given. Kept in the store so
 * that behind a load balancer the replica answering the next update knows what another replica
 * did with the last one. Times are ISO strings, passed in so tests control the clock.
 */
export interface ChatStateRepository {
  /** Sets the command whose argument the chat's next plain message is, until `until`; null clears it. */
  setPending(chatId: number, command: string | null, until: string): Promise<void>;
  /** Reads and clears the pending question in one step: null when there is none or it expired. */
  takePending(chatId: number, now: string): Promise<string | null>;
  /** Counts one request of the chat in `window` (a minute's key) and returns the window's count so far. */
  countHit(chatId: number, window: string): Promise<number>;
  /** True for the first call with `key` while no unexpired earlier one holds it (one refusal per chat a day…). */
  once(key: string, until: string, now: string): Promise<boolean>;
  /**
   * Adds or replaces the chat's file for `file.role`. An upload whose last file came before
   * `staleBefore` is dropped first (`expired`); then, past `maxChats` chats or `maxBytes` staged in
   * all, the least recently touched other chats' uploads go.
   */
  stage(chatId: number, file: StagedFile, at: string, limits: { staleBefore: string; maxChats: number; maxBytes: number }): Promise<{ expired: boolean }>;
  /** The chat's staged files, none when its upload went stale before `staleBefore`. */
  staged(chatId: number, staleBefore: string): Promise<StagedFile[]>;
  /** Drops the chat's staged files; true when there were any (of two replicas completing one upload, one wins). */
  clearStaged(chatId: number): Promise<boolean>;
  /** Forgets expired questions and notices and past windows (stale uploads go with the next `stage`). */
  prune(now: string): Promise<void>;
}
