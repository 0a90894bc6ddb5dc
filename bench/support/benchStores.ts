/**
 * Where bench/scale.ts keeps its stores, per engine: SQLite files in the work directory, or the
 * databases of a throwaway PostgreSQL cluster it starts (tests/support/postgresCluster.ts, with the
 * server's default durability). Each engine also has its ingest floor: the engine's own bulk
 * loader reading the same four CSV files into plain text tables (`sqlite3 .import`, `psql \copy`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../tests/support/postgresCluster.ts';
import { measure, type Measured } from './measure.ts';

export const CSV_FILES = ['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv'] as const;
const SEPARATOR: Record<string, string> = { 'money.csv': ';' };

export interface BenchStores {
  engine: 'sqlite' | 'postgres';
  /** A fresh, empty store for size `n` (its RETENTION_DB value); `round` > 0 names a throwaway one. */
  fresh(n: number, round?: number): Promise<string>;
  drop(target: string): Promise<void>;
  /** The engine's own loader reading the four files into text tables; null when its tool is missing. */
  floor(dir: string, n: number): Promise<Measured | null>;
  /** The store's size on disk. */
  sizeMb(target: string): Promise<number>;
  /** Server version and settings (PostgreSQL). */
  describe(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

export function sqliteStores(work: string): BenchStores {
  const files = (db: string) => ['', '-wal', '-shm'].map((f) => db + f);
  return {
    engine: 'sqlite',
    async fresh(n, round = 0) {
      const db = join(work, round ? `s${n}-round${round}.db` : `s${n}.db`);
      for (const f of files(db)) rmSync(f, { force: true });
      return db;
    },
    async drop(db) {
      for (const f of files(db)) rmSync(f, { force: true });
    },
    async floor(dir, n) {
      if (spawnSync('sqlite3', ['-version']).status !== 0) return null;
      const db = join(work, `floor${n}.db`);
      rmSync(db, { force: true });
      const script = [
        '.mode csv',
        `.import ${join(dir, 'market_file.csv')} market_file`,
        `.import ${join(dir, 'market_money.csv')} market_money`,
        `.import ${join(dir, 'market_time.csv')} market_time`,
        '.separator ;',
        `.import ${join(dir, 'money.csv')} money`,
        'SELECT count(*) FROM market_money;',
      ].join('\n');
      const m = measure(['sqlite3', db], {}, 900, script);
      rmSync(db, { force: true });
      return m;
    },
    async sizeMb(db) {
      return mb(files(db).slice(0, 2).reduce((a, f) => a + (existsSync(f) ? statSync(f).size : 0), 0));
    },
    async describe() {
      return {};
    },
    async close() {},
  };
}

/** Settings the bench cluster runs with beyond the server's defaults: none (every commit flushed, as in production). */
export const BENCH_PG_SETTINGS: Readonly<Record<string, string>> = {};

const SHOWN_SETTINGS = ['server_version', 'shared_buffers', 'work_mem', 'maintenance_work_mem', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'max_wal_size'];

export async function postgresStores(): Promise<BenchStores> {
  const cluster: TestPostgres = await startPostgres({ settings: BENCH_PG_SETTINGS, watchdog: true });
  const admin = async <T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  const dbName = (url: string) => new URL(url).pathname.slice(1);
  const psql = existsSync(join(cluster.bin, 'psql')) ? join(cluster.bin, 'psql') : 'psql';
  const drop = async (url: string) => {
    await admin(cluster.url, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName(url)} WITH (FORCE)`));
  };
  return {
    engine: 'postgres',
    fresh: () => cluster.createDatabase(),
    drop,
    async floor(dir) {
      if (spawnSync(psql, ['--version']).status !== 0) return null;
      const url = await cluster.createDatabase();
      // Text columns named after the header's position: the floor parses nothing, like sqlite3's .import.
      const script = CSV_FILES.flatMap((f) => {
        const table = f.replace('.csv', '');
        const sep = SEPARATOR[f] ?? ',';
        const header = readFileSync(join(dir, f), 'utf8').slice(0, 4096).split(/\r?\n/)[0];
        const columns = header.split(sep).map((_, i) => `c${i + 1} text`);
        return [
          `CREATE TABLE ${table} (${columns.join(', ')});`,
          `\\copy ${table} FROM '${join(dir, f)}' WITH (FORMAT csv, HEADER true, DELIMITER '${sep}')`,
        ];
      }).join('\n');
      const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'postgres', '-d', dbName(url)];
      const m = measure([psql, ...args], {}, 900, script + '\n');
      await drop(url);
      return m;
    },
    async sizeMb(url) {
      return admin(url, async (c) => mb(Number((await c.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b)));
    },
    async describe() {
      return admin(cluster.url, async (c) => {
        const r = await c.query('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [SHOWN_SETTINGS]);
        return {
          bin: cluster.bin,
          settings: Object.fromEntries(r.rows.map((x: { name: string; setting: string; unit: string | null }) => [x.name, x.unit ? `${x.setting} × ${x.unit}` : x.setting])),
        };
      });
    },
    close: () => cluster.stop(),
  };
}
