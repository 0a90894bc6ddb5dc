/**
 * Errors of the storage adapters, whichever the engine. The core recognises them by `code`
 * without importing an adapter.
 */

/** A stored row that cannot be read back (e.g. a model artifact that is no longer valid JSON). */
export class CorruptRecordError extends Error {
  readonly code = 'CORRUPT_RECORD';
  constructor(
    readonly table: string,
    readonly key: string,
    readonly column: string,
    options?: { cause?: unknown },
  ) {
    super(`corrupt ${table}.${column} for ${key}`, options);
    this.name = 'CorruptRecordError';
  }
}

/** The database was migrated by newer code than this: opening it would misread or damage it. */
export class SchemaTooNewError extends Error {
  readonly code = 'SCHEMA_TOO_NEW';
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`database schema version ${found} is newer than this code knows (${known})`);
    this.name = 'SchemaTooNewError';
  }
}
