/**
 * Vitest globalSetup: runs once per `vitest run`, so machines without PostgreSQL see one line
 * instead of one per file that skips its PostgreSQL suites.
 */
import { postgresSkipNotice } from './postgres.ts';

export default function setup(): void {
  const notice = postgresSkipNotice();
  if (notice) console.warn(notice);
}
