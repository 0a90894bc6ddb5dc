import type Database from 'better-sqlite3';
import type { AuditEntry, AuditLog } from '../../core/ports.ts';
import { withoutBusyWait } from './busyWait.ts';

/** Longest action kept; a pasted wall of text is not worth storing in full. */
const MAX_ACTION_CHARS = 500;
/** How soon a write that found the database locked is tried again. */
const RETRY_MS = 200;

interface AuditRow {
  at: string;
  user_id: number;
  chat_id: number;
  action: string;
}

type Pending = [at: string, userId: number, chatId: number, action: string];

const isBusy = (err: unknown) => (err as { code?: string })?.code?.startsWith('SQLITE_BUSY') === true;

/**
 * The audit log table (migration 2), append-only. It is written on every request by the bot's
 * event loop, which must never sleep in SQLite's busy handler while another connection (a
 * training child saving a million scores, a worker recording a digest) holds the write lock for
 * seconds: a write that finds the lock taken keeps its entries in memory and retries shortly,
 * in order; close() writes what is left, waiting as long as it must.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly insertOne;
  private readonly insertAll;
  private readonly selectRecent;
  private pending: Pending[] = [];
  private retry: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
    private readonly busyTimeoutMs: number,
  ) {
    const insert = db.prepare('INSERT INTO audit_log (at, user_id, chat_id, action) VALUES (?, ?, ?, ?)');
    this.insertOne = insert;
    this.insertAll = db.transaction((rows: Pending[]) => {
      for (const r of rows) insert.run(...r);
    });

    this.selectRecent = db.prepare<[number], AuditRow>('SELECT at, user_id, chat_id, action FROM audit_log ORDER BY id DESC LIMIT ?');
  }

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    this.pending.push([this.now().toISOString(), entry.userId, entry.chatId, entry.action.slice(0, MAX_ACTION_CHARS)]);
    // Written after this turn of the event loop: fifty managers asking at once cost one
    // transaction, not fifty (each with two busy-timeout switches).
    if (!this.retry && !this.soon) {
      this.soon = setImmediate(() => {
        this.soon = null;
        this.flush(false);
      });
    }
  }

  /** Entries not yet written because the database was locked. */
  get queued(): number {
    return this.pending.length;
  }

  /** Writes the queued entries; without `wait`, gives up at once on a held lock and retries later. */
  flush(wait: boolean): void {
    if (this.soon) clearImmediate(this.soon);
    this.soon = null;
    if (this.pending.length === 0 || !this.db.open) return;
    const write = () => (this.pending.length === 1 ? this.insertOne.run(...this.pending[0]) : this.insertAll(this.pending));
    try {
      if (wait) write();
      else withoutBusyWait(this.db, this.busyTimeoutMs, write);
      this.pending = [];
      if (this.retry) clearTimeout(this.retry);
      this.retry = null;
    } catch (err) {
      if (wait || !isBusy(err)) throw err;
      this.retry ??= setTimeout(() => {
        this.retry = null;
        this.flush(false);
      }, RETRY_MS);
      this.retry.unref();
    }
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    this.flush(false);
    const queued = this.pending.map(([at, userId, chatId, action]) => ({ at, userId, chatId, action })).reverse();
    const stored = this.selectRecent.all(limit).map((r) => ({ at: r.at, userId: r.user_id, chatId: r.chat_id, action: r.action }));
    return [...queued, ...stored].slice(0, limit);
  }
}
