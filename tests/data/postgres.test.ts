/**
 * The PostgreSQL side of the store that the contract suite (storeContract.test.ts) does not see:
 * the throwaway cluster, migrations (one list for both engines, schema_version, the advisory lock),
 * the refusal of a newer database, and choosing the engine from RETENTION_DB.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIGRATIONS,
  PG_MIGRATIONS,
  SCHEMA_STEPS,
  SchemaTooNewError,
  connectStore,
  migrate,
  migratePg,
  openPgStore,
  pgSchemaVersion,
  storeTarget,
} from '../../src/data/index.ts';
import { describePostgres, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { customer } from './helpers.ts';

describe('one schema list for both engines', () => {
  it('numbers the steps 1..N and gives each engine the same versions and names', () => {
    expect(SCHEMA_STEPS.map((s) => s.version)).toEqual(SCHEMA_STEPS.map((_, i) => i + 1));
    const bare = (list: readonly { version: number; name: string }[]) => list.map(({ version, name }) => ({ version, name }));
    expect(bare(MIGRATIONS)).toEqual(bare(SCHEMA_STEPS));
    expect(bare(PG_MIGRATIONS)).toEqual(bare(SCHEMA_STEPS));
    expect(MIGRATIONS.map((m) => m.up)).toEqual(SCHEMA_STEPS.map((s) => s.sqlite));
  });

  it('SQLite refuses a newer database with the same error type as PostgreSQL', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db)).toThrow(SchemaTooNewError);
    expect(() => migrate(db)).toThrow(`database schema version 99 is newer than this code knows (${SCHEMA_STEPS.length})`);
    db.close();
  });
});

describe('storeTarget: RETENTION_DB chooses the engine', () => {
  it('postgres:// and postgresql:// are PostgreSQL; a path, :memory: or nothing is SQLite', () => {
    expect(storeTarget('postgres://u:p@db:5432/retention')).toEqual({ engine: 'postgres', url: 'postgres://u:p@db:5432/retention' });
    expect(storeTarget('postgresql://db/retention?sslmode=require')).toEqual({ engine: 'postgres', url: 'postgresql://db/retention?sslmode=require' });
    expect(storeTarget('PostgreSQL://db/x').engine).toBe('postgres');
    expect(storeTarget('var/retention.db')).toEqual({ engine: 'sqlite', file: 'var/retention.db' });
    expect(storeTarget('/data/postgres.db')).toEqual({ engine: 'sqlite', file: '/data/postgres.db' });
    expect(storeTarget(':memory:')).toEqual({ engine: 'sqlite', file: ':memory:' });
    expect(storeTarget(undefined)).toEqual({ engine: 'sqlite', file: 'var/retention.db' });
    expect(storeTarget('  ')).toEqual({ engine: 'sqlite', file: 'var/retention.db' });
  });

  it('connectStore opens a SQLite target behind the async ports', async () => {
    const store = await connectStore(':memory:');
    expect(await store.datasets.list()).toEqual([]);
    await expect(store.models.activate(1)).rejects.toThrow(/not found|model/i);
    await store.close();
  });
});

describePostgres('PostgreSQL', () => {
  let cluster: TestPostgres;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(() => cluster?.stop());

  const pools: pg.Pool[] = [];
  const poolFor = (url: string) => {
    const p = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(p);
    return p;
  };
  afterAll(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
  });
  const tables = async (pool: pg.Pool) =>
    (await pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);

  describe('the test cluster', () => {
    it('listens on loopback with trust auth, and hands out separate databases', async () => {
      expect(cluster.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const [a, b] = [await cluster.createDatabase(), await cluster.createDatabase()];
      expect(a).not.toBe(b);
      const pa = poolFor(a);
      await pa.query('CREATE TABLE only_in_a (x int)');
      expect(await tables(pa)).toEqual(['only_in_a']);
      expect(await tables(poolFor(b))).toEqual([]);
      const settings = await pa.query<{ listen: string; user: string }>("SELECT current_setting('listen_addresses') AS listen, current_user AS user");
      expect(settings.rows[0]).toEqual({ listen: '127.0.0.1', user: 'postgres' });
    });

    it('copies a template database, and stops and removes its directory', async () => {
      const own = await startPostgres();
      const template = await own.createDatabase();
      const client = new pg.Client(template);
      await client.connect();
      await client.query('CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
      await client.end();
      const copy = new pg.Client(await own.createDatabase(template));
      await copy.connect();
      expect((await copy.query('SELECT x FROM kept')).rows).toEqual([{ x: 42 }]);
      await copy.end();
      const dataDir = (await (async () => {
        const c = new pg.Client(own.url);
        await c.connect();
        const dir = (await c.query<{ d: string }>("SELECT current_setting('data_directory') AS d")).rows[0].d;
        await c.end();
        return dir;
      })());
      expect(existsSync(dataDir)).toBe(true);
      await own.stop();
      expect(existsSync(dataDir)).toBe(false);
      const after = new pg.Client({ connectionString: own.url, connectionTimeoutMillis: 2000 });
      after.on('error', () => {});
      await expect(after.connect()).rejects.toThrow();
      await own.stop(); // twice is harmless
    });
  });

  describe('migrations', () => {
    it('apply the whole list to an empty database, record it in schema_version, and are idempotent', async () => {
      const pool = poolFor(await cluster.createDatabase());
      expect(await pgSchemaVersion(pool)).toBe(0);
      expect(await migratePg(pool)).toEqual({ from: 0, to: SCHEMA_STEPS.length });
      const recorded = await pool.query('SELECT version, name FROM schema_version ORDER BY version');
      expect(recorded.rows).toEqual(SCHEMA_STEPS.map(({ version, name }) => ({ version, name })));
      expect(await migratePg(pool)).toEqual({ from: SCHEMA_STEPS.length, to: SCHEMA_STEPS.length });
      expect(await tables(pool)).toEqual(
        expect.arrayContaining(['dataset', 'customer', 'model', 'score', 'active_model', 'audit_log', 'digest_run', 'campaign_plan', 'update_claim', 'segment_member', 'explanation']),
      );
      // Migration 5 altered the subscriber table in place: the new reason and column are there.
      await pool.query("INSERT INTO digest_subscriber (chat_id, user_id, active, subscribed_at, reason, migrated_to) VALUES (1, 1, 0, 'x', 'migrated', 2)");
      await expect(pool.query("INSERT INTO digest_subscriber (chat_id, user_id, active, subscribed_at, reason) VALUES (2, 1, 0, 'x', 'bored')")).rejects.toThrow(/check/i);
    });

    it('apply a new step once; a failing step leaves the database as the previous one left it', async () => {
      const pool = poolFor(await cluster.createDatabase());
      await migratePg(pool);
      const n = PG_MIGRATIONS.length;
      const withNew = [...PG_MIGRATIONS, { version: n + 1, name: 'extra', up: 'CREATE TABLE extra (x int)' }];
      expect(await migratePg(pool, withNew)).toEqual({ from: n, to: n + 1 });
      expect(await migratePg(pool, withNew)).toEqual({ from: n + 1, to: n + 1 });
      const failing = [
        ...withNew,
        {
          version: n + 2,
          name: 'broken',
          up: async (client: pg.ClientBase) => {
            await client.query('CREATE TABLE half_done (x int)');
            throw new Error('boom');
          },
        },
      ];
      await expect(migratePg(pool, failing)).rejects.toThrow('boom');
      expect(await pgSchemaVersion(pool)).toBe(n + 1);
      expect(await tables(pool)).not.toContain('half_done');
      await expect(migratePg(poolFor(await cluster.createDatabase()), [{ version: 2, name: 'gap', up: '' }])).rejects.toThrow(/expected 1/);
    });

    it('refuse a database migrated by newer code, changing nothing, and openPgStore refuses it too', async () => {
      const url = await cluster.createDatabase();
      const pool = poolFor(url);
      await migratePg(pool);
      await pool.query("INSERT INTO schema_version (version, name) VALUES (99, 'from the future')");
      const before = await tables(pool);
      const err = await migratePg(pool).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaTooNewError);
      expect((err as Error).message).toBe(`database schema version 99 is newer than this code knows (${SCHEMA_STEPS.length})`);
      expect(await tables(pool)).toEqual(before);
      await expect(openPgStore(url)).rejects.toThrow(SchemaTooNewError);
      await expect(connectStore(url)).rejects.toThrow(/newer than this code knows/);
    });

    it('several replicas migrating one empty database at once apply each step exactly once', async () => {
      const url = await cluster.createDatabase();
      const replicas = Array.from({ length: 4 }, () => poolFor(url));
      const results = await Promise.all(replicas.map((p) => migratePg(p)));
      for (const r of results) expect(r.to).toBe(SCHEMA_STEPS.length);
      // Exactly one replica started from an empty database; the steps were shared out, none repeated.
      expect(results.filter((r) => r.from === 0).length).toBeGreaterThanOrEqual(1);
      const recorded = await replicas[0].query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
      expect(recorded.rows.map((r) => r.version)).toEqual(SCHEMA_STEPS.map((s) => s.version));
      // Stores opened at once on a fresh database (what replicas starting together do) all work.
      const url2 = await cluster.createDatabase();
      const stores = await Promise.all(Array.from({ length: 3 }, () => openPgStore(url2)));
      expect(await Promise.all(stores.map((s) => s.datasets.list()))).toEqual([[], [], []]);
      await Promise.all(stores.map((s) => s.close()));
    });
  });

  describe('openPgStore and connectStore', () => {
    it('connectStore opens a postgres:// target as PostgreSQL, migrated, and close() ends the pool', async () => {
      const url = await cluster.createDatabase();
      const store = await connectStore(url.replace(/^postgresql:/, 'postgres:'));
      expect(await store.models.activeVersion()).toBeNull();
      expect(await pgSchemaVersion(poolFor(url))).toBe(SCHEMA_STEPS.length);
      await store.close();
      await store.close();
      await expect(store.datasets.list()).rejects.toThrow();
    });

    it('reads doubles back to the bit even where the server is set to round them (extra_float_digits = 0)', async () => {
      const url = await cluster.createDatabase();
      await poolFor(cluster.url).query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET extra_float_digits = 0`);
      const store = await openPgStore(url);
      const d = await store.datasets.create({ customers: [customer(1, { profit: 0.1 + 0.2 })], dropped: [], rowsIn: {}, customersIn: 1 }, 's');
      expect(Object.is((await store.datasets.customer(d.version, 1))?.profit, 0.1 + 0.2)).toBe(true);
      await store.close();
    });

    it('the audit log: recent() waits for an insert still in flight instead of missing it', async () => {
      const url = await cluster.createDatabase();
      const store = await openPgStore(url);
      const blocker = new pg.Client(url);
      await blocker.connect();
      await blocker.query('BEGIN; LOCK TABLE audit_log IN EXCLUSIVE MODE'); // inserts wait, reads do not
      const recorded = store.audit.record({ userId: 1, chatId: 1, action: '/start' });
      const recent = store.audit.recent(5);
      let answered = false;
      void recent.then(() => (answered = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      await blocker.query('COMMIT');
      await recorded;
      expect((await recent).map((e) => e.action)).toEqual(['/start']);
      await blocker.end();
      await store.close();
    });

    it('the audit log: an entry the server refuses fails alone, the ones queued with it are written', async () => {
      const store = await openPgStore(await cluster.createDatabase());
      const results = await Promise.allSettled(
        ['/start', 'nul \u0000 byte', '/risk 1', '/plan'].map((action, i) => store.audit.record({ userId: i, chatId: i, action })),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((await store.audit.recent(10)).map((e) => e.action)).toEqual(['/plan', '/risk 1', '/start']);
      await store.close();
    });

    it('bulk-loaded tables check their parent per statement with the foreign key\'s error, both ways (migration 9)', async () => {
      const url = await cluster.createDatabase();
      const store = await openPgStore(url);
      const pool = poolFor(url);
      const fails = (sql: string) => pool.query(sql).then(() => null, (e: pg.DatabaseError) => ({ code: e.code, constraint: e.constraint, detail: e.detail }));
      const d = await store.datasets.create({ customers: [customer(1), customer(2)], dropped: [], rowsIn: {}, customersIn: 2 }, 's');
      const row = (version: number, id: number) => `(${version}, ${id}, 1, 'стандарт', 1, 1, 1, 1, 0.5, 'c', 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)`;
      // One statement naming a known and an unknown data set fails as a whole, naming the unknown one.
      expect(await fails(`INSERT INTO customer VALUES ${row(d.version, 3)}, ${row(99, 1)}`)).toEqual({
        code: '23503',
        constraint: 'customer_version_fkey',
        detail: 'Key (version)=(99) is not present in table "dataset".',
      });
      expect(await fails(`INSERT INTO score VALUES (7, 1, 0.5)`)).toMatchObject({ code: '23503', constraint: 'score_model_version_fkey' });
      expect(await fails(`INSERT INTO segment_member VALUES (7, 0, 0, 1, 0.5, 1, 0, 1)`)).toMatchObject({ code: '23503', constraint: 'segment_member_set_id_fkey' });
      // A parent with rows left cannot go; once they are deleted it can (children first, as retention does).
      expect(await fails(`DELETE FROM dataset WHERE version = ${d.version}`)).toEqual({
        code: '23503',
        constraint: 'customer_version_fkey',
        detail: `Key (version)=(${d.version}) is still referenced from table "customer".`,
      });
      expect(await fails(`DELETE FROM customer WHERE version = ${d.version}`)).toBeNull();
      expect(await fails(`DELETE FROM dataset WHERE version = ${d.version}`)).toBeNull();
      // No declared foreign key is left on the three tables; the others keep theirs.
      const keys = await pool.query<{ t: string }>("SELECT conrelid::regclass::text AS t FROM pg_constraint WHERE contype = 'f' ORDER BY 1");
      expect(keys.rows.map((r) => r.t)).not.toEqual(expect.arrayContaining(['customer', 'score', 'segment_member']));
      expect(keys.rows.map((r) => r.t)).toEqual(expect.arrayContaining(['dropped_customer', 'explanation', 'segment_summary', 'active_model']));
      await store.close();
    });

    it('a concurrent delete of the parent waits for a bulk load that checked it, then fails', async () => {
      const url = await cluster.createDatabase();
      const store = await openPgStore(url);
      const d = await store.datasets.create({ customers: [customer(1)], dropped: [], rowsIn: {}, customersIn: 1 }, 's');
      const [loader, deleter] = [new pg.Client(url), new pg.Client(url)];
      await Promise.all([loader.connect(), deleter.connect()]);
      await loader.query('BEGIN');
      await loader.query(`INSERT INTO customer SELECT ${d.version}, 2, label, service_type, allow_notify, market_active_6m, market_active_current, tenure_days,
        promo_share, popular_category, categories_per_visit, unpaid_items, service_errors, pages_per_visit, revenue_pre_prev, revenue_prev,
        revenue_current, minutes_prev, minutes_current, profit FROM customer WHERE version = ${d.version} AND id = 1`);
      await deleter.query('BEGIN');
      await deleter.query(`DELETE FROM customer WHERE version = ${d.version}`); // sees only the committed row
      const deleted = deleter.query(`DELETE FROM dataset WHERE version = ${d.version}`).then(() => 'deleted', (e: pg.DatabaseError) => e.code);
      await new Promise((r) => setTimeout(r, 300));
      await loader.query('COMMIT');
      expect(await deleted).toBe('23503');
      await deleter.query('ROLLBACK');
      await Promise.all([loader.end(), deleter.end()]);
      expect((await store.datasets.customers(d.version)).map((c) => c.id)).toEqual([1, 2]);
      await store.close();
    });

    it('binary COPY refuses what the text form would have: a fractional id, NaN in a NOT NULL column; -0 is stored as 0', async () => {
      const store = await openPgStore(await cluster.createDatabase());
      const set = (customers: ReturnType<typeof customer>[]) => ({ customers, dropped: [], rowsIn: {}, customersIn: customers.length });
      await expect(store.datasets.create(set([customer(1.5)]), 's')).rejects.toThrow(/not a valid int8/);
      await expect(store.datasets.create(set([customer(1, { tenureDays: Number.NaN })]), 's')).rejects.toThrow(/null value/);
      expect(await store.datasets.list()).toEqual([]);
      const odd = 'tab\there \\ and\nnew line' as ReturnType<typeof customer>['serviceType']; // text that needs escapes in the text form
      const d = await store.datasets.create(set([customer(1, { profit: -0, serviceType: odd })]), 's');
      const back = await store.datasets.customer(d.version, 1);
      expect(Object.is(back?.profit, 0)).toBe(true);
      expect(back?.serviceType).toBe(odd);
      await store.close();
    });

    it('reads BIGINT ids beyond 32 bits as numbers (supergroup chat ids)', async () => {
      const store = await openPgStore(await cluster.createDatabase());
      expect(await store.subscribers.subscribe(-1001234567890, 9876543210)).toBe(true);
      expect(await store.subscribers.active()).toEqual([{ chatId: -1001234567890, userId: 9876543210, subscribedAt: expect.any(String) }]);
      await store.close();
    });
  });
});
