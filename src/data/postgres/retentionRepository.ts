import type pg from 'pg';
import type { RetentionRepository, VersionInventory } from '../../core/ports.ts';
import { VERSION_OWNED_TABLES } from '../retentionTables.ts';
import { activeModelVersion } from './modelRepository.ts';
import { row, rows, transaction } from './sql.ts';

/** Children first, so foreign keys hold at every step. */
const MODEL_STEPS = [
  'DELETE FROM explanation WHERE model_version = $1',
  'DELETE FROM segment_member WHERE set_id IN (SELECT id FROM segment_set WHERE model_version = $1)',
  'DELETE FROM segment_summary WHERE set_id IN (SELECT id FROM segment_set WHERE model_version = $1)',
  'DELETE FROM segment_combination WHERE set_id IN (SELECT id FROM segment_set WHERE model_version = $1)',
  'DELETE FROM segment_set WHERE model_version = $1',
  'DELETE FROM score WHERE model_version = $1',
  'DELETE FROM model WHERE version = $1',
];
const DATASET_STEPS = ['DELETE FROM customer WHERE version = $1', 'DELETE FROM dropped_customer WHERE version = $1', 'DELETE FROM dataset WHERE version = $1'];

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Deletes old versions, one version per transaction. Rows are immutable (UPDATE triggers), not
 * undeletable: only this adapter deletes. The pointer row is locked while a model is deleted, so a
 * concurrent activate() of that model waits and then fails on the foreign key instead of racing.
 */
export class PgRetentionRepository implements RetentionRepository {
  constructor(private readonly pool: pg.Pool) {}

  async inventory(): Promise<VersionInventory> {
    const models = await rows<VersionInventory['models'][number]>(
      this.pool,
      'SELECT version, dataset_version AS "datasetVersion", created_at AS "createdAt", scored_customers AS rows FROM model ORDER BY version',
    );
    const datasets = await rows<VersionInventory['datasets'][number]>(
      this.pool,
      'SELECT version, created_at AS "createdAt", customers_kept AS rows FROM dataset ORDER BY version',
    );
    const referenced = { model_version: new Set<number>(), dataset_version: new Set<number>() };
    const columns = await rows<{ table: string; column: keyof typeof referenced }>(
      this.pool,
      `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
       WHERE table_schema = current_schema() AND column_name IN ('model_version', 'dataset_version')`,
    );
    for (const { table, column } of columns) {
      if (VERSION_OWNED_TABLES.has(table)) continue;
      const values = await rows<{ v: number }>(this.pool, `SELECT DISTINCT ${column}::bigint AS v FROM ${quoteIdent(table)} WHERE ${column} IS NOT NULL`);
      for (const { v } of values) referenced[column].add(v);
    }
    const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
    return {
      models,
      datasets,
      activeModel: await activeModelVersion(this.pool),
      referencedModels: sorted(referenced.model_version),
      referencedDatasets: sorted(referenced.dataset_version),
    };
  }

  deleteModel(version: number): Promise<void> {
    return transaction(this.pool, async (client) => {
      if (await row(client, 'SELECT 1 FROM active_model WHERE model_version = $1 FOR UPDATE', [version])) {
        throw new Error(`model v${version} is active and cannot be deleted`);
      }
      for (const step of MODEL_STEPS) await client.query(step, [version]);
    });
  }

  deleteDataset(version: number): Promise<void> {
    return transaction(this.pool, async (client) => {
      const user = await row<{ version: number }>(client, 'SELECT version FROM model WHERE dataset_version = $1 LIMIT 1', [version]);
      if (user) throw new Error(`dataset v${version} is used by model v${user.version} and cannot be deleted`);
      for (const step of DATASET_STEPS) await client.query(step, [version]);
    });
  }

  /** VACUUM FULL: rewrites every table so freed space goes back to the file system; holds exclusive locks while it runs. */
  async vacuum(): Promise<void> {
    await this.pool.query('VACUUM FULL');
  }

  /**
   * The database's size, and an estimate of the space dead rows hold (what VACUUM makes reusable):
   * PostgreSQL has no free-page count without an extension, so each table's share of dead rows in
   * the statistics stands in for it.
   */
  async fileStats(): Promise<{ bytes: number; freeBytes: number }> {
    const r = await row<{ bytes: number; free: number }>(
      this.pool,
      `SELECT pg_database_size(current_database())::bigint AS bytes,
         COALESCE(SUM(pg_table_size(relid) * n_dead_tup / NULLIF(n_live_tup + n_dead_tup, 0)), 0)::bigint AS free
       FROM pg_stat_user_tables`,
    );
    return { bytes: r!.bytes, freeBytes: Math.min(r!.free, r!.bytes) };
  }
}
