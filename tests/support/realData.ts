/**
 * Where the tests find the real «В один клик» export. It is never copied into the repository, so
 * a fresh clone has none: the tests that need it are skipped, and tests/support/realDataNotice.ts
 * says so once per run. Every other test runs on the bundled demo set in data/.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';

/** The bundled synthetic demo set: the real export's columns and quirks, in every clone. */
export const DEMO_DIR = resolve(process.cwd(), 'data');

export const REAL_DATA_ENV = 'RETENTION_REAL_DATA';
/** Relative to the repository root (the directory the tests run from). */
export const REAL_DATA_FALLBACK = '../shared/data/one-click';
const FILES = ['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv'];

export interface RealDataLocation {
  /** The directory holding the four files, or null when the tests that need it are skipped. */
  dir: string | null;
  /** Why `dir` is null, for the one notice line. */
  missing?: string;
}

export function locateRealData(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RealDataLocation {
  const explicit = env[REAL_DATA_ENV];
  // A set but wrong variable does not fall back: the caller asked for that directory (and
  // `RETENTION_REAL_DATA=/nonexistent` must be able to switch the real-data tests off).
  const dir = resolve(cwd, explicit || REAL_DATA_FALLBACK);
  const absent = FILES.filter((f) => !existsSync(join(dir, f)));
  if (absent.length === 0) return { dir };
  const where = explicit ? `${REAL_DATA_ENV}=${explicit}` : REAL_DATA_FALLBACK;
  return { dir: null, missing: absent.length === FILES.length ? `${where} not found` : `${where} lacks ${absent.join(', ')}` };
}

export const REAL_DIR: string | null = locateRealData().dir;
export const hasRealData = REAL_DIR !== null;

/** The real-data directory inside a describeReal/itReal block, where it is known to exist. */
export function realDir(): string {
  if (REAL_DIR === null) throw new Error('real data set absent: guard the test with describeReal or itReal');
  return REAL_DIR;
}

export const describeReal = describe.skipIf(!hasRealData);
export const itReal = it.skipIf(!hasRealData);

export function skipNotice(location: RealDataLocation = locateRealData()): string | null {
  if (location.dir !== null) return null;
  return `real-data tests skipped (${location.missing}): set ${REAL_DATA_ENV}=/path/to/one-click (or place it at ${REAL_DATA_FALLBACK})`;
}
