import type Database from 'better-sqlite3';
import type { RetentionRepository, VersionInventory } from '../../core/ports.ts';
import { VERSION_OWNED_TABLES } from '../retentionTables.ts';

/**
 * Deletes old versions. Rows are immutable (UPDATE triggers), not undeletable: DELETE is allowed
 * and only this adapter issues it, children first so foreign keys hold at every step. Each version
 * goes in one transaction, so a crash leaves it either whole or gone.
 */
export class SqliteRetentionRepository implements RetentionRepository {
  private readonly deleteModelTx;
  private readonly deleteDatasetTx;

  constructor(private readonly db: Database.Database) {
    const run = (sql: string) => db.prepare<[number]>(sql);
    const modelSteps = [
      run('DELETE FROM explanation WHERE model_version = ?'),
      run('DELETE FROM segment_member WHERE set_id IN (SELECT id FROM segment_set WHERE model_version = ?)'),
      run('DELETE FROM segment_summary WHERE set_id IN (SELECT id FROM segment_set WHERE model_version = ?)'),
      run('DELETE FROM segment_combination WHERE set_id IN (SELECT id FROM segment_set WHERE model_version = ?)'),
      run('DELETE FROM segment_set WHERE model_version = ?'),
      run('DELETE FROM score WHERE model_version = ?'),
      run('DELETE FROM model WHERE version = ?'),
    ];
    const datasetSteps = [
      run('DELETE FROM customer WHERE version = ?'),
      run('DELETE FROM dropped_customer WHERE version = ?'),
      run('DELETE FROM dataset WHERE version = ?'),
    ];
    const isActive = db.prepare<[number], number>('SELECT 1 FROM active_model WHERE model_version = ?').pluck();
    const usedBy = db.prepare<[number], number>('SELECT version FROM model WHERE dataset_version = ? LIMIT 1').pluck();
    this.deleteModelTx = db.transaction((version: number) => {
      if (isActive.get(version)) throw new Error(`model v${version} is active and cannot be deleted`);
      for (const step of modelSteps) step.run(version);
    });
    this.deleteDatasetTx = db.transaction((version: number) => {
      const model = usedBy.get(version);
      if (model !== undefined) throw new Error(`dataset v${version} is used by model v${model} and cannot be deleted`);
      for (const step of datasetSteps) step.run(version);
    });
  }

  async inventory(): Promise<VersionInventory> {
    const db = this.db;
    const models = db
      .prepare<[], { version: number; datasetVersion: number; createdAt: string; rows: number }>(
        'SELECT version, dataset_version AS datasetVersion, created_at AS createdAt, scored_customers AS rows FROM model ORDER BY version',
      )
      .all();
    const datasets = db
      .prepare<[], { version: number; createdAt: string; rows: number }>(
        'SELECT version, created_at AS createdAt, customers_kept AS rows FROM dataset ORDER BY version',
      )
      .all();
    const activeModel = db.prepare<[], number>('SELECT model_version FROM active_model WHERE slot = 1').pluck().get() ?? null;
    const referencedModels = new Set<number>();
    const referencedDatasets = new Set<number>();
    const tables = db
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all()
      .filter((t) => !VERSION_OWNED_TABLES.has(t));
    for (const table of tables) {
      const columns = new Set((db.pragma(`table_info("${table.replace(/"/g, '""')}")`) as { name: string }[]).map((c) => c.name));
      for (const [column, into] of [
        ['model_version', referencedModels],
        ['dataset_version', referencedDatasets],
      ] as const) {
        if (!columns.has(column)) continue;
        const values = db.prepare<[], number>(`SELECT DISTINCT ${column} FROM "${table.replace(/"/g, '""')}" WHERE ${column} IS NOT NULL`).pluck().all();
        for (const v of values) into.add(Number(v));
      }
    }
    return {
      models,
      datasets,
      activeModel,
      referencedModels: [...referencedModels].sort((a, b) => a - b),
      referencedDatasets: [...referencedDatasets].sort((a, b) => a - b),
    };
  }

  async deleteModel(version: number): Promise<void> {
    this.deleteModelTx.immediate(version);
  }

  async deleteDataset(version: number): Promise<void> {
    this.deleteDatasetTx.immediate(version);
  }

  async vacuum(): Promise<void> {
    this.db.exec('VACUUM');
  }

  async fileStats(): Promise<{ bytes: number; freeBytes: number }> {
    const page = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return { bytes: page * pages, freeBytes: page * free };
  }
}
