/**
 * New data arrives: validate the files with the same reader as `retention ingest`, store them
 * as a new data set version, have a ModelTrainer train on it (off this event loop), and compare
 * the new model with the one that answered before. Until the trainer switches the active
 * pointer, users keep getting answers from the previous model and data set.
 */
import { importContactFiles, readWithContacts, type ContactsImport } from './campaign/contacts.ts';
import type { DatasetVersion } from './domain.ts';
import { TrainingFailedError } from './errors.ts';
import { leaseOwner, RETRAIN_LEASE, withLease, type LeaseTimings } from './lease.ts';
import type { ContactsReader, DatasetReader, Logger, ModelTrainer, Store } from './ports.ts';
import { highRiskEntrants, NO_ENTRANTS, type Entrants } from './entrants.ts';
import { bandOf, type BandThresholds } from './risk.ts';

export type RetrainStage = 'queued' | 'validating' | 'training';

export interface RetrainReport {
  dataset: DatasetVersion;
  /** Data rows per file, as read. */
  rowsIn: Record<string, number>;
  previous: { version: number; cvAuc: number } | null;
  model: { version: number; cvAuc: number; family: string };
  /** Customers scored by both models. */
  compared: number;
  /** Of those, how many moved to another risk band. */
  bandChanges: number;
  /** High-profit customers who entered the high-risk band with the new model (what subscribers are alerted about). */
  entrants: Entrants;
  /** What the contacts.csv among the files gave; null when there was none. */
  contacts: ContactsImport | null;
}

export interface RetrainOptions {
  /** Awaited, so progress reports reach the user in order. */
  onStage?: (stage: RetrainStage, dataset?: DatasetVersion) => void | Promise<void>;
  signal?: AbortSignal;
}

export type Retrainer = ReturnType<typeof createRetrainer>;

export function createRetrainer(deps: {
  store: Store;
  reader: DatasetReader;
  trainer: ModelTrainer;
  risk: BandThresholds;
  /** Reads an optional contacts.csv among the files; without it such a file is ignored. */
  contacts?: ContactsReader;
  /**
   * The retrain lease shared with every process on the store: who this process is in it (default:
   * host, pid and a random part) and how long to wait for it.
   */
  lease?: LeaseTimings & { owner?: string };
  log?: Logger;
}) {
  const { store, reader, trainer, risk, contacts } = deps;
  const { owner = leaseOwner(), ...timings } = deps.lease ?? {};
  // One retrain at a time: two trainings racing for the pointer would make «было → стало» meaningless.
  // In this process a queue; across the processes sharing the store the retrain lease.
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;

  async function compare(from: number | null, to: number): Promise<{ compared: number; bandChanges: number }> {
    if (from === null || from === to) return { compared: 0, bandChanges: 0 };
    const before = new Map((await store.models.scores(from)).map((s) => [s.id, s.probability]));
    let compared = 0;
    let bandChanges = 0;
    for (const s of await store.models.scores(to)) {
      const p = before.get(s.id);
      if (p === undefined) continue;
      compared++;
      if (bandOf(p, risk) !== bandOf(s.probability, risk)) bandChanges++;
    }
    return { compared, bandChanges };
  }

  async function runNow(files: Record<string, Buffer>, source: string, opts: RetrainOptions): Promise<RetrainReport> {
    opts.signal?.throwIfAborted();
    await opts.onStage?.('validating');
    const data = await readWithContacts(() => reader.readFiles(files), contacts ? () => contacts.readFiles(files, async () => () => true) : null);
    opts.signal?.throwIfAborted();
    // Validated first, so a broken upload is told at once; stored and trained under the lease, so
    // data set versions are trained in the order they were stored and the newest one ends active.
    const lease = { name: RETRAIN_LEASE, owner, ...timings, signal: opts.signal, onWait: () => opts.onStage?.('queued'), log: deps.log };
    return withLease(store.leases, lease, async ({ lost }) => {
      const signal = opts.signal ? AbortSignal.any([opts.signal, lost]) : lost;
      const dataset = await store.datasets.create(data, source);
      // After the data set is stored, so its customers are the ones contacts are matched to.
      const contactsImport = contacts ? await importContactFiles({ store, reader: contacts }, files, source) : null;
      await opts.onStage?.('training', dataset);
      const previousVersion = await store.models.activeVersion();
      // Metadata only: a corrupted previous artifact must not block the retrain that replaces it.
      const previous = previousVersion === null ? null : await store.models.meta(previousVersion);
      const { modelVersion } = await trainer.train(dataset.version, signal);
      const model = await store.models.meta(modelVersion);
      if (!model) throw new TrainingFailedError(`trainer reported model v${modelVersion}, which is not in the store`);
      return report(data.rowsIn, dataset, previous, model, contactsImport);
    });
  }

  async function report(
    rowsIn: Record<string, number>,
    dataset: DatasetVersion,
    previous: { version: number; cvAuc: number } | null,
    model: { version: number; cvAuc: number; family: string },
    contactsImport: ContactsImport | null,
  ): Promise<RetrainReport> {
    return {
      dataset,
      rowsIn,
      previous: previous && { version: previous.version, cvAuc: previous.cvAuc },
      model: { version: model.version, cvAuc: model.cvAuc, family: model.family },
      ...(await compare(previous?.version ?? null, model.version)),
      entrants: previous ? await highRiskEntrants(store, previous.version, model.version, risk) : NO_ENTRANTS,
      contacts: contactsImport,
    };
  }

  return {
    activeVersion: (): Promise<number | null> => store.models.activeVersion(),

    /** Whether a retrain is running or waiting. */
    get busy(): boolean {
      return pending > 0;
    },

    /** Queued behind any retrain in progress; DataError when the files are unusable (nothing stored). */
    async run(files: Record<string, Buffer>, source: string, opts: RetrainOptions = {}): Promise<RetrainReport> {
      const queued = pending > 0;
      pending++;
      try {
        if (queued) await opts.onStage?.('queued');
        const job = tail.then(() => runNow(files, source, opts));
        tail = job.catch(() => undefined);
        return await job;
      } finally {
        pending--;
      }
    },
  };
}
