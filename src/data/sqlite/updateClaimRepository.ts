import type Database from 'better-sqlite3';
import type { UpdateChat, UpdateClaims } from '../../core/ports.ts';

/**
 * Update claims (migrations `update claims` and `replicas`). The primary key on update_id makes
 * the claim one atomic statement, so two replicas on the same file (or two connections) can never
 * both win.
 */
export class SqliteUpdateClaims implements UpdateClaims {
  private readonly insert;
  private readonly earlier;
  private readonly markDone;
  private readonly deleteExpired;

  constructor(db: Database.Database) {
    // An expired row is taken over in place; an unexpired one leaves the statement changing nothing.
    this.insert = db.prepare(
      `INSERT INTO update_claim (update_id, owner, claimed_at, expires_at, chat_id, album, done_at) VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (update_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at,
         expires_at = excluded.expires_at, chat_id = excluded.chat_id, album = excluded.album, done_at = NULL
       WHERE update_claim.expires_at <= excluded.claimed_at`,
    );
    // `album IS NOT ?` is SQLite's null-safe «differs»: plain updates (album NULL) always wait for each other.
    this.earlier = db.prepare(
      `SELECT 1 FROM update_claim
       WHERE chat_id = ? AND update_id < ? AND owner <> ? AND done_at IS NULL AND claimed_at >= ?
         AND (album IS NULL OR album IS NOT ?)
       LIMIT 1`,
    );
    this.markDone = db.prepare('UPDATE update_claim SET done_at = ? WHERE update_id = ? AND done_at IS NULL');
    this.deleteExpired = db.prepare('DELETE FROM update_claim WHERE expires_at < ?');
  }

  async claim(updateId: number, owner: string, until: string, now: string, chat?: UpdateChat): Promise<boolean> {
    return this.insert.run(updateId, owner, now, until, chat?.chatId ?? null, chat?.album ?? null).changes > 0;
  }

  async waitsFor(updateId: number, owner: string, chat: UpdateChat, since: string): Promise<boolean> {
    return this.earlier.get(chat.chatId, updateId, owner, since, chat.album ?? null) !== undefined;
  }

  async done(updateId: number, at: string): Promise<void> {
    this.markDone.run(at, updateId);
  }

  async prune(before: string): Promise<number> {
    return this.deleteExpired.run(before).changes;
  }
}
