import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../../core/ports.ts';
import { SqliteAuditLog } from './auditRepository.ts';
import { SqliteCampaignRepository } from './campaignRepository.ts';
import { SqliteContactRepository } from './contactRepository.ts';
import { SqliteDatasetRepository } from './datasetRepository.ts';
import { MIGRATIONS, migrate, type Migration } from './migrations.ts';
import { SqliteModelRepository } from './modelRepository.ts';
import { SqliteDigestRepository } from './digestRepository.ts';
import { SqliteSubscriberRepository } from './subscriberRepository.ts';
import { SqliteSegmentRepository } from './segmentRepository.ts';
import { SqliteExplanationRepository } from './explanationRepository.ts';
import { SqliteRetentionRepository } from './retentionRepository.ts';
import { SqliteUpdateClaims } from './updateClaimRepository.ts';
import { SqliteChatState } from './chatStateRepository.ts';
import { SqliteLeases } from './leaseRepository.ts';

export interface StoreOptions {
  /** Clock for created_at stamps (tests). */
  now?: () => Date;
  /** Migration list (tests); defaults to MIGRATIONS. */
  migrations?: readonly Migration[];
  /** How long a writer waits for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
}

/** The SQLite Store; `db` is exposed so other adapters (subscribers, audit log…) can share the connection. */
export interface SqliteStore extends Store {
  readonly db: Database.Database;
}

const isMemory = (p: string) => p === ':memory:' || p === '';

/**
 * Opens (creating parent folders and the file if needed) and migrates a store.
 * WAL journal with synchronous=NORMAL (durable across application crashes; a power cut may lose
 * the last commits but never corrupts), foreign keys on, busy timeout for concurrent writers.
 */
export function openStore(file: string, opts: StoreOptions = {}): SqliteStore {
  if (!isMemory(file)) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!isMemory(file)) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, opts.migrations ?? MIGRATIONS);
  } catch (e) {
    db.close();
    throw e;
  }
  const now = opts.now ?? (() => new Date());
  const segments = new SqliteSegmentRepository(db, now);
  const explanations = new SqliteExplanationRepository(db);
  const audit = new SqliteAuditLog(db, now, busyTimeoutMs);
  return {
    db,
    datasets: new SqliteDatasetRepository(db, now),
    models: new SqliteModelRepository(db, now, { segments, explanations }),
    segments,
    explanations,
    retention: new SqliteRetentionRepository(db),
    audit,
    subscribers: new SqliteSubscriberRepository(db, now),
    digests: new SqliteDigestRepository(db),
    campaigns: new SqliteCampaignRepository(db),
    contacts: new SqliteContactRepository(db, now),
    updateClaims: new SqliteUpdateClaims(db),
    chatState: new SqliteChatState(db, busyTimeoutMs),
    leases: new SqliteLeases(db),
    close: async () => {
      if (!db.open) return;
      try {
        audit.flush(true);
      } finally {
        db.close();
      }
    },
  };
}
