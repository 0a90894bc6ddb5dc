import type pg from 'pg';
import type { AuditEntry, AuditLog } from '../../core/ports.ts';
import { changes, rows } from './sql.ts';

/** Longest action kept; a pasted wall of text is not worth storing in full (as in SQLite). */
const MAX_ACTION_CHARS = 500;

type Row = [at: string, userId: number, chatId: number, action: string];

interface Queued {
  row: Row;
  resolve(): void;
  reject(err: unknown): void;
}

const INSERT = `INSERT INTO audit_log (at, user_id, chat_id, action)
  SELECT at, user_id, chat_id, action FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS e(at, user_id, chat_id, action, seq)
  ORDER BY seq`;

/**
 * The audit log table (migration 2), append-only. Entries are written in the order they were
 * recorded — one writer at a time, whatever queued meanwhile going in as one insert — because
 * concurrent inserts on a pool's connections would number them in whatever order the connections
 * answered. `recent()` and `close()` first wait for that writer, so what was recorded is what is
 * read back, and nothing is lost on shutdown.
 */
export class PgAuditLog implements AuditLog {
  private queue: Queued[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row: [this.now().toISOString(), entry.userId, entry.chatId, entry.action.slice(0, MAX_ACTION_CHARS)], resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Resolves when every entry recorded so far has been written (or has failed). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    await this.settled();
    return rows<AuditEntry>(this.pool, 'SELECT at, user_id AS "userId", chat_id AS "chatId", action FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      try {
        await this.insert(batch.map((q) => q.row));
        for (const q of batch) q.resolve();
      } catch (err) {
        // One entry the server refuses must not take the others with it: write them one by one.
        if (batch.length === 1) batch[0].reject(err);
        else for (const q of batch) await this.insert([q.row]).then(q.resolve, q.reject);
      }
    }
    this.writing = null;
  }

  private async insert(batch: Row[]): Promise<void> {
    await changes(this.pool, INSERT, [0, 1, 2, 3].map((k) => batch.map((r) => r[k])));
  }
}
