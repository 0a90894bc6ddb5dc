/**
 * A stored row that cannot be read back (e.g. a model artifact that is no longer valid JSON).
 * The core recognises it by `code === 'CORRUPT_RECORD'` without importing this adapter.
 */
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
