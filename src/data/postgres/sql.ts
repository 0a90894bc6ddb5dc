/**
 * How the PostgreSQL repositories talk to the server: one pool, values bound the way SQLite binds
 * them, BIGINT read as a JS number, and a transaction helper.
 */
import pg from 'pg';

/** Anything a statement runs on: the pool (one statement, autocommit) or a client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient | pg.ClientBase;

const INT8_OID = 20;

/** BIGINT columns (ids, versions, counts) as numbers; a value past 2^53 is refused rather than rounded. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} does not fit a JS number`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export function createPool(connectionString: string, config: pg.PoolConfig = {}): pg.Pool {
  // Shortest exact float text (PostgreSQL 12+ for any value > 0): a double reads back as the bits it was
  // written with. A startup option, so it holds before the first query, with no query of its own.
  const pool = new pg.Pool({ max: 10, options: '-c extra_float_digits=1', ...config, connectionString, types });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** NaN is bound as NULL, as SQLite binds it, so NOT NULL and CHECK constraints refuse it the same way. */
const bind = (values: readonly unknown[]) => values.map((v) => (typeof v === 'number' && Number.isNaN(v) ? null : v));

export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return db.query<R>(text, bind(values));
}

/** The rows of a query. */
export async function rows<R extends pg.QueryResultRow>(db: Queryable, text: string, values: readonly unknown[] = []): Promise<R[]> {
  return (await query<R>(db, text, values)).rows;
}

/** The first row, or null. */
export async function row<R extends pg.QueryResultRow>(db: Queryable, text: string, values: readonly unknown[] = []): Promise<R | null> {
  return (await query<R>(db, text, values)).rows[0] ?? null;
}

/** How many rows a statement inserted, updated or deleted. */
export async function changes(db: Queryable, text: string, values: readonly unknown[] = []): Promise<number> {
  return (await query(db, text, values)).rowCount ?? 0;
}

/**
 * Runs `work` in one transaction on one client: committed when it resolves, rolled back when it
 * throws. A client whose rollback fails (a broken connection) is discarded, not returned to the pool.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw e;
  } finally {
    client.release(broken);
  }
}
