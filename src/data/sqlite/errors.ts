/** Shared by every engine: src/data/errors.ts. */
export { CorruptRecordError } from '../errors.ts';
