import type Database from 'better-sqlite3';

/**
 * Runs `write` with SQLite's busy handler off, then sets the connection's timeout back: a write on
 * the bot's event loop fails at once with SQLITE_BUSY while another connection (a training child,
 * a worker) holds the write lock, instead of the thread sleeping for it.
 */
export function withoutBusyWait<T>(db: Database.Database, busyTimeoutMs: number, write: () => T): T {
  // A prepared PRAGMA statement does not re-apply when run again: set it each time.
  db.pragma('busy_timeout = 0');
  try {
    return write();
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}
