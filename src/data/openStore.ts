/**
 * Which engine a store target names, and opening it behind the async ports: `postgres://…` or
 * `postgresql://…` is PostgreSQL, anything else a SQLite file (`:memory:` for a throwaway one).
 */
import type { Store } from '../core/ports.ts';
import { openPgStore, type PgStoreOptions } from './postgres/store.ts';
import { openStore as openSqliteStore, type SqliteStore, type StoreOptions } from './sqlite/store.ts';

/** Where the SQLite store lives when nothing is configured (RETENTION_DB's default in src/config.ts). */
export const DEFAULT_STORE_FILE = 'var/retention.db';

export type StoreTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** The engine and address a RETENTION_DB value names; empty or missing keeps the default SQLite file. */
export function storeTarget(value: string | undefined): StoreTarget {
  const v = value?.trim();
  if (!v) return { engine: 'sqlite', file: DEFAULT_STORE_FILE };
  return POSTGRES_URL.test(v) ? { engine: 'postgres', url: v } : { engine: 'sqlite', file: v };
}

export interface OpenOptions {
  /** Clock for created_at stamps (tests), either engine. */
  now?: () => Date;
  sqlite?: Omit<StoreOptions, 'now'>;
  postgres?: Omit<PgStoreOptions, 'now'>;
}

/** Opens and migrates the store `target` names (a RETENTION_DB value or a parsed target). */
export async function connectStore(target: string | StoreTarget | undefined, opts: OpenOptions = {}): Promise<Store> {
  const t = typeof target === 'object' ? target : storeTarget(target);
  if (t.engine === 'postgres') return openPgStore(t.url, { ...opts.postgres, now: opts.now });
  return openSqliteStore(t.file, { ...opts.sqlite, now: opts.now });
}

/**
 * SQLite's WAL is checkpointed by whichever connection commits once it has grown past 1000 pages,
 * synchronously: on the bot's event loop that was a worker's digest (248k rows) copied back into
 * the database on the next small write, 65–99 ms of loop. With workers running, the event loop's
 * connection leaves that to them (`checkpoint`, run in a worker on a timer). Returns whether it
 * did (false for PostgreSQL and in-memory stores, which have no WAL to mind).
 */
export function leaveCheckpointsToWorkers(store: Store): boolean {
  const db = sqliteDbOf(store);
  if (!db || db.memory) return false;
  db.pragma('wal_autocheckpoint = 0');
  return true;
}

/** A passive checkpoint (it never waits for readers or writers), for the thread that took them over. */
export function checkpoint(store: Store): void {
  const db = sqliteDbOf(store);
  if (db && !db.memory) db.pragma('wal_checkpoint(PASSIVE)');
}

const sqliteDbOf = (store: Store) => ('db' in store ? (store as SqliteStore).db : null);
