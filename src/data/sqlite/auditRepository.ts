import type Database from 'better-sqlite3';
import type { AuditEntry, AuditLog } from '../../core/ports.ts';

/** Longest action kept; a pasted wall of text is not worth storing in full. */
const MAX_ACTION_CHARS = 500;

interface AuditRow {
  at: string;
  user_id: number;
  chat_id: number;
  action: string;
}

/** The audit log table (migration 2): one autocommitted row per request, append-only. */
export class SqliteAuditLog implements AuditLog {
  private readonly insert;
  private readonly selectRecent;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare('INSERT INTO audit_log (at, user_id, chat_id, action) VALUES (?, ?, ?, ?)');
    this.selectRecent = db.prepare<[number], AuditRow>('SELECT at, user_id, chat_id, action FROM audit_log ORDER BY id DESC LIMIT ?');
  }

  record(entry: Omit<AuditEntry, 'at'>): void {
    this.insert.run(this.now().toISOString(), entry.userId, entry.chatId, entry.action.slice(0, MAX_ACTION_CHARS));
  }

  recent(limit: number): AuditEntry[] {
    return this.selectRecent.all(limit).map((r) => ({ at: r.at, userId: r.user_id, chatId: r.chat_id, action: r.action }));
  }
}
