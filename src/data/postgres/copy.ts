/**
 * Bulk inserts through COPY … FROM STDIN (pg-copy-streams): rows stream to the server in text
 * format, a few hundred kilobytes at a time, with the socket's backpressure — a million customers
 * never sit in memory as one statement.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null | undefined;

const ROWS_PER_CHUNK = 2000;

/** COPY text format: tab-separated, `\N` for NULL, backslash escapes. NaN is NULL, as SQLite binds it. */
function field(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return Number.isNaN(v) ? '\\N' : String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function* chunks(rows: Iterable<readonly CopyValue[]>): Generator<string> {
  let chunk = '';
  let n = 0;
  for (const r of rows) {
    chunk += r.map(field).join('\t') + '\n';
    if (++n === ROWS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      n = 0;
    }
  }
  if (chunk) yield chunk;
}

/** Copies rows into `table (columns)` on the client's connection (inside its transaction, if any); returns the row count. */
export async function copyRows(client: pg.ClientBase, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks(rows)), stream);
  return stream.rowCount;
}
