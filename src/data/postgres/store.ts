import type pg from 'pg';
import type { Store } from '../../core/ports.ts';
import { PgAuditLog } from './auditLog.ts';
import { PgCampaignRepository } from './campaignRepository.ts';
import { PgChatState } from './chatState.ts';
import { PgContactRepository } from './contactRepository.ts';
import { PgDatasetRepository } from './datasetRepository.ts';
import { PgDigestRepository } from './digestRepository.ts';
import { PgExplanationRepository } from './explanationRepository.ts';
import { PgLeases } from './leases.ts';
import { migratePg, PG_MIGRATIONS, type PgMigration } from './migrate.ts';
import { PgModelRepository } from './modelRepository.ts';
import { PgRetentionRepository } from './retentionRepository.ts';
import { PgSegmentRepository } from './segmentRepository.ts';
import { createPool } from './sql.ts';
import { PgSubscriberRepository } from './subscriberRepository.ts';
import { PgUpdateClaims } from './updateClaims.ts';

export interface PgStoreOptions {
  /** Clock for created_at stamps (tests). */
  now?: () => Date;
  /** Migration list (tests); defaults to PG_MIGRATIONS. */
  migrations?: readonly PgMigration[];
  /** Pool settings (size, timeouts, TLS); the connection string is the store's URL. */
  pool?: Omit<pg.PoolConfig, 'connectionString'>;
}

/** The PostgreSQL Store; `pool` is exposed for operations and tests (raw SQL, EXPLAIN). */
export interface PgStore extends Store {
  readonly pool: pg.Pool;
}

/**
 * Connects to `url` (postgres://… or postgresql://…), migrates the database (safe from several
 * replicas at once) and returns the store. The pool opens connections as queries need them;
 * `close()` waits for audit entries in flight, then ends the pool.
 */
export async function openPgStore(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
  const pool = createPool(url, opts.pool);
  try {
    await migratePg(pool, opts.migrations ?? PG_MIGRATIONS);
  } catch (e) {
    await pool.end();
    throw e;
  }
  const now = opts.now ?? (() => new Date());
  const segments = new PgSegmentRepository(pool, now);
  const explanations = new PgExplanationRepository(pool);
  const audit = new PgAuditLog(pool, now);
  let closing: Promise<void> | null = null;
  return {
    pool,
    datasets: new PgDatasetRepository(pool, now),
    models: new PgModelRepository(pool, now, { segments, explanations }),
    segments,
    explanations,
    retention: new PgRetentionRepository(pool),
    audit,
    subscribers: new PgSubscriberRepository(pool, now),
    digests: new PgDigestRepository(pool),
    campaigns: new PgCampaignRepository(pool),
    contacts: new PgContactRepository(pool, now),
    updateClaims: new PgUpdateClaims(pool),
    chatState: new PgChatState(pool),
    leases: new PgLeases(pool),
    close: () =>
      (closing ??= (async () => {
        try {
          await audit.settled();
        } finally {
          await pool.end();
        }
      })()),
  };
}
