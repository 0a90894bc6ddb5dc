/**
 * PostgreSQL's side of the schema history (../migrations.ts). Several replicas may start at once:
 * each step runs in its own transaction holding one advisory lock, re-reads the version under it
 * and records the step in `schema_version` before committing — so every step applies exactly once,
 * and a failing step leaves the database as the previous one left it.
 */
import type pg from 'pg';
import { latestVersion, migrationsFor, type Migration, type PostgresUp } from '../migrations.ts';
import { row, transaction, type Queryable } from './sql.ts';

export type PgMigration = Migration<PostgresUp>;

export const PG_MIGRATIONS: readonly PgMigration[] = migrationsFor('postgres');

/** Key of the transaction-level advisory lock migrations hold ('RETE'). */
const MIGRATION_LOCK = 0x52455445;

const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/** Schema version of a database (0 = empty, or never migrated). */
export async function pgSchemaVersion(db: Queryable): Promise<number> {
  const present = await row<{ present: boolean }>(db, "SELECT to_regclass('schema_version') IS NOT NULL AS present");
  if (!present?.present) return 0;
  return (await row<{ version: number }>(db, 'SELECT COALESCE(MAX(version), 0)::int AS version FROM schema_version'))!.version;
}

/**
 * Applies pending migrations in order; throws SchemaTooNewError when the database was migrated by
 * newer code, before changing anything.
 */
export async function migratePg(pool: pg.Pool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<{ from: number; to: number }> {
  let from: number | null = null;
  for (;;) {
    const done = await transaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(SCHEMA_VERSION_TABLE);
      const version = await pgSchemaVersion(client);
      from ??= version;
      if (version >= latestVersion(migrations, version)) return true;
      const m = migrations[version];
      if (typeof m.up === 'string') await client.query(m.up);
      else await m.up(client);
      await client.query('INSERT INTO schema_version (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return false;
    });
    if (done) return { from: from!, to: await pgSchemaVersion(pool) };
  }
}
