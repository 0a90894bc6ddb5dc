/**
 * Data adapters: CSV ingest (validation, cleaning, pivot), the SQLite and PostgreSQL stores, synthetic data.
 * The core sees them only through its ports (DatasetReader, Store).
 */
import type { DatasetReader } from '../core/ports.ts';
import { readDatasetDir, readDatasetFiles } from './csv/ingest.ts';
import type { ZipLimits } from './csv/zip.ts';

export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './csv/zip.ts';

export { readDatasetDir, readDatasetFiles, type FileFormat, type IngestResult, type ReadOptions } from './csv/ingest.ts';
export { DEFAULT_OUTLIER_IQR_K } from './csv/clean.ts';
export { ROLE_FILE, type Role } from './csv/schema.ts';
export { openStore, type SqliteStore, type StoreOptions } from './sqlite/store.ts';
export { MIGRATIONS, migrate, schemaVersion, type Migration } from './sqlite/migrations.ts';
export { CorruptRecordError, SchemaTooNewError } from './errors.ts';
export { SCHEMA_STEPS, type SchemaStep } from './migrations.ts';
export { checkpoint, connectStore, leaveCheckpointsToWorkers, storeTarget, DEFAULT_STORE_FILE, type OpenOptions, type StoreTarget } from './openStore.ts';
export { openPgStore, type PgStore, type PgStoreOptions } from './postgres/store.ts';
export { PG_MIGRATIONS, migratePg, pgSchemaVersion, type PgMigration } from './postgres/migrate.ts';
export { synthesize, type SynthOptions, type SynthSummary } from './synth.ts';
export { CONTACTS_FILE, csvContactsReader, isContactsFileName, readContactsFiles, readContactsPath } from './csv/contacts.ts';
export { spreadsheetWriter, toRuCsv, toXlsx } from './export/index.ts';

/** The CSV reader behind the core's DatasetReader port; `zipLimits` bound what an uploaded archive may inflate to. */
export function createCsvDatasetReader(defaults: { zipLimits?: Readonly<ZipLimits> } = {}): DatasetReader {
  return {
    readDir: (dir, opts) => readDatasetDir(dir, { ...defaults, ...opts }),
    readFiles: (files, opts) => readDatasetFiles(files, { ...defaults, ...opts }),
  };
}

export const csvDatasetReader: DatasetReader = createCsvDatasetReader();
