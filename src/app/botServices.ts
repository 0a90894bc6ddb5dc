/**
 * The bot's services beyond the conversation — the upload path and the audit hook — built from
 * an App. The composition root uses it, and so do the tests and the benchmark, so they run the
 * same wiring as production.
 */
import { createUploadFeature, MAX_FILE_BYTES, type UploadFeature } from '../bot/upload.ts';
import { UploadStaging } from '../bot/uploadStaging.ts';
import type { ModelTrainer } from '../core/ports.ts';
import { leaseOwner, type LeaseTimings } from '../core/lease.ts';
import { createRetrainer } from '../core/retrain.ts';
import { createCsvDatasetReader, csvContactsReader, DEFAULT_ZIP_LIMITS } from '../data/index.ts';
import { uploadInspector } from '../data/csv/uploadInspector.ts';
import { childProcessTrainer, inProcessTrainer } from '../jobs/trainers.ts';
import { redact } from '../logger.ts';
import type { App } from './types.ts';
import type { Config } from '../config.ts';
import type { UploadHelp } from '../features/upload.ts';
import { highRiskAlert } from '../features/alerts.ts';
import { mayReceive, type AccessPolicy } from '../core/access.ts';
import { accessPolicy } from './access.ts';

export type AuditHook = (entry: { userId: number; chatId: number; action: string }) => void;

/** Writes to the audit table; a failed write is logged and never fails the user's request. */
export function auditHook(app: Pick<App, 'store' | 'log'>): AuditHook {
  // Not awaited: the answer does not wait for its audit row, and a failed write only logs.
  return (entry) => {
    app.store.audit
      .record({ ...entry, action: redact(entry.action) })
      .catch((err: Error) => app.log.warn('audit write failed', { error: err.message }));
  };
}

/** What `/upload` tells: which files, how long they wait, the size limit. */
export function uploadHelp(config: Pick<Config, 'uploadTimeoutMs'>): UploadHelp {
  return {
    fileNames: uploadInspector.fileNames,
    timeoutMinutes: Math.round(config.uploadTimeoutMs / 60_000),
    maxFileMb: MAX_FILE_BYTES / (1024 * 1024),
  };
}

export interface UploadWiringOptions {
  /** Extra `retention train` arguments for the child process (tests use a fast search). */
  trainArgs?: readonly string[];
  /** Replaces the child-process trainer. */
  trainer?: ModelTrainer;
  /** Clock for upload timeouts (tests). */
  now?: () => number;
  audit?: AuditHook;
  /** Who may receive the alert after a retrain (default: the configured lists). */
  policy?: AccessPolicy;
  /** How long a retrain waits for another process's (tests shorten it). */
  lease?: LeaseTimings;
}

export function createUploads(app: Pick<App, 'config' | 'store' | 'assistant' | 'log'> & Partial<Pick<App, 'modelChanged'>>, opts: UploadWiringOptions = {}): UploadFeature {
  const policy = opts.policy ?? accessPolicy(app.config, app.store.subscribers);
  // The retrainer holds the retrain lease as `owner` and renews it; its training child works under it.
  const owner = leaseOwner();
  const trainer =
    opts.trainer ??
    (app.config.dbPath === ':memory:'
      ? inProcessTrainer(app.assistant)
      : childProcessTrainer({ dbPath: app.config.dbPath, args: opts.trainArgs, leaseOwner: owner }));
  return createUploadFeature({
    retrainer: createRetrainer({
      store: app.store,
      reader: createCsvDatasetReader({
        zipLimits: {
          ...DEFAULT_ZIP_LIMITS,
          maxTotalBytes: app.config.uploadMaxUnzippedBytes,
          maxEntryBytes: Math.min(DEFAULT_ZIP_LIMITS.maxEntryBytes, app.config.uploadMaxUnzippedBytes),
        },
      }),
      trainer,
      risk: app.config.risk,
      contacts: csvContactsReader,
      lease: { owner, ...opts.lease },
      log: app.log,
    }),
    inspector: uploadInspector,
    staging: new UploadStaging(app.store.chatState, { ttlMs: app.config.uploadTimeoutMs, now: opts.now }),
    log: app.log,
    audit: opts.audit ?? auditHook(app),
    // Asked when the alert goes out, like the digest: only subscribers still allowed get it.
    alert: async (report) => {
      app.modelChanged?.();
      const subscribers = await app.store.subscribers.active();
      const allowed = await Promise.all(subscribers.map((s) => mayReceive(policy, s.chatId, s.userId)));
      return {
        chatIds: subscribers.filter((_, i) => allowed[i]).map((s) => s.chatId),
        replies: highRiskAlert(report.entrants, app.config.units),
      };
    },
  });
}
