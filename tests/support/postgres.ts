/**
 * PostgreSQL for tests: the throwaway cluster (./postgresCluster.ts, shared with the benchmarks)
 * and the vitest side. One cluster per test file; each suite takes a fresh database from it.
 * Machines without the server binaries skip these suites: tests/support/postgresNotice.ts says so
 * once per run.
 */
import { describe } from 'vitest';
import { hasPostgres, postgresMissing } from './postgresCluster.ts';

export { findPostgresBin, hasPostgres, POSTGRES_BIN, startPostgres, type TestPostgres } from './postgresCluster.ts';

/** The one line a run prints when the PostgreSQL suites are skipped, or null when they run. */
export function postgresSkipNotice(): string | null {
  const missing = postgresMissing();
  return missing ? `PostgreSQL tests skipped: ${missing}` : null;
}

/** describe() that skips (with the run's one notice line) where the PostgreSQL binaries are missing. */
export const describePostgres = describe.skipIf(!hasPostgres);
