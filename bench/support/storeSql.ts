/**
 * Raw SQL on a store the benchmarks opened, whichever engine it is: the probes drop the week's
 * digest and plan they drew (no real week's, and they would keep the model from `retention gc`),
 * and show the plan of the /risk score lookup. Statements use `?` placeholders (SQLite's); for
 * PostgreSQL they become $1, $2, …
 */
import type { Store } from '../../src/core/ports.ts';

type SqliteDb = { prepare(sql: string): { all(...a: unknown[]): Record<string, unknown>[]; run(...a: unknown[]): unknown } };
type PgPool = { query(sql: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

export interface StoreSql {
  engine: 'sqlite' | 'postgres';
  all(sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
  run(sql: string, ...params: unknown[]): Promise<void>;
  /** The query plan of the score lookup /risk makes, as one line. */
  scoreLookupPlan(modelVersion: number, id: number): Promise<string>;
}

const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export function storeSql(store: Store): StoreSql {
  const s = store as Store & { db?: SqliteDb; pool?: PgPool };
  const lookup = 'SELECT probability FROM score WHERE model_version = ? AND id = ?';
  if (s.pool) {
    const pool = s.pool;
    const all = async (sql: string, ...params: unknown[]) => (await pool.query(numbered(sql), params)).rows;
    return {
      engine: 'postgres',
      all,
      run: async (sql, ...params) => void (await all(sql, ...params)),
      scoreLookupPlan: async (v, id) => (await all(`EXPLAIN ${lookup}`, v, id)).map((r) => String(r['QUERY PLAN']).trim()).join('; '),
    };
  }
  if (!s.db) throw new Error('storeSql: neither a SQLite nor a PostgreSQL store');
  const db = s.db;
  return {
    engine: 'sqlite',
    all: async (sql, ...params) => db.prepare(sql).all(...params),
    run: async (sql, ...params) => void db.prepare(sql).run(...params),
    scoreLookupPlan: async (v, id) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${lookup}`)
        .all(v, id)
        .map((r) => String(r.detail))
        .join('; '),
  };
}
