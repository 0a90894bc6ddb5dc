import type pg from 'pg';
import type { AuditEntry, AuditLog } from '../../core/ports.ts';
import type { Async } from '../asyncStore.ts';
import { changes, rows } from './sql.ts';

/** Longest action kept; a pasted wall of text is not worth storing in full (as in SQLite). */
const MAX_ACTION_CHARS = 500;

/**
 * The audit log table (migration 2), append-only. PostgreSQL writers do not lock each other out,
 * so an entry is inserted at once; `recent()` and `close()` first wait for the inserts still in
 * flight, so what was recorded is what is read back, in order, and nothing is lost on shutdown.
 */
export class PgAuditLog implements Async<AuditLog> {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const write = changes(this.pool, 'INSERT INTO audit_log (at, user_id, chat_id, action) VALUES ($1, $2, $3, $4)', [
      this.now().toISOString(),
      entry.userId,
      entry.chatId,
      entry.action.slice(0, MAX_ACTION_CHARS),
    ]);
    this.inFlight.add(write);
    const settled = () => void this.inFlight.delete(write);
    write.then(settled, settled);
    return write.then(() => undefined);
  }

  /** Resolves when every insert started so far has finished (failed ones included). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    await this.settled();
    return rows<AuditEntry>(this.pool, 'SELECT at, user_id AS "userId", chat_id AS "chatId", action FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
  }
}
