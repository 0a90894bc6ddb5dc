/** Errors cross the thread boundary as plain data; the coded ones come back as themselves, so the edges map them as usual. */
import { DataError, NoModelError, NotFoundError, type FileProblem } from '../../core/errors.ts';

export interface SerializedError {
  name: string;
  message: string;
  what?: NotFoundError['what'];
  key?: string;
  suggestions?: string[];
  problems?: FileProblem[];
}

export function serializeError(err: unknown): SerializedError {
  const e = err as { name?: string; message?: string; what?: NotFoundError['what']; key?: string; suggestions?: string[]; problems?: FileProblem[] } | null;
  return {
    name: e?.name ?? 'Error',
    message: e?.message ?? String(err),
    what: e?.what,
    key: e?.key,
    suggestions: e?.suggestions,
    problems: e?.problems,
  };
}

export function deserializeError(s: SerializedError): Error {
  if (s.name === 'NotFoundError' && s.what && s.key !== undefined) return new NotFoundError(s.what, s.key, s.suggestions ?? []);
  if (s.name === 'NoModelError') return new NoModelError();
  if (s.name === 'DataError' && s.problems) return new DataError(s.problems);
  const err = new Error(s.message);
  err.name = s.name;
  return err;
}
