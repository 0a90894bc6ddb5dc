import type { Queryable } from './sql.ts';
import { row } from './sql.ts';

/**
 * The next data set or model version, taken inside the creating transaction: the counter row stays
 * locked until it commits (concurrent creators queue, as SQLite's writers do), and a rollback
 * gives the number back.
 */
export async function nextVersion(client: Queryable, name: 'dataset' | 'model'): Promise<number> {
  const r = await row<{ last: number }>(client, 'UPDATE version_counter SET last = last + 1 WHERE name = $1 RETURNING last', [name]);
  if (!r) throw new Error(`version_counter has no row for ${name}`);
  return r.last;
}
