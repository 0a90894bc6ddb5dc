import type pg from 'pg';
import type { UpdateChat, UpdateClaims } from '../../core/ports.ts';
import { changes, query } from './sql.ts';

/**
 * Update claims (migrations `update claims` and `replicas`). One statement on the primary key:
 * replicas racing for an update id queue on its row, and only the first changes anything.
 */
export class PgUpdateClaims implements UpdateClaims {
  constructor(private readonly pool: pg.Pool) {}

  /** An expired row is taken over in place; an unexpired one leaves the statement changing nothing. */
  async claim(updateId: number, owner: string, until: string, now: string, chat?: UpdateChat): Promise<boolean> {
    const written = await changes(
      this.pool,
      `INSERT INTO update_claim (update_id, owner, claimed_at, expires_at, chat_id, album, done_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)
       ON CONFLICT (update_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at,
         expires_at = excluded.expires_at, chat_id = excluded.chat_id, album = excluded.album, done_at = NULL
       WHERE update_claim.expires_at <= excluded.claimed_at`,
      [updateId, owner, now, until, chat?.chatId ?? null, chat?.album ?? null],
    );
    return written > 0;
  }

  async waitsFor(updateId: number, owner: string, chat: UpdateChat, since: string): Promise<boolean> {
    const r = await query(
      this.pool,
      `SELECT 1 FROM update_claim
       WHERE chat_id = $1 AND update_id < $2 AND owner <> $3 AND done_at IS NULL AND claimed_at >= $4
         AND (album IS NULL OR album IS DISTINCT FROM $5::text)
       LIMIT 1`,
      [chat.chatId, updateId, owner, since, chat.album ?? null],
    );
    return r.rows.length > 0;
  }

  async done(updateId: number, at: string): Promise<void> {
    await query(this.pool, 'UPDATE update_claim SET done_at = $1 WHERE update_id = $2 AND done_at IS NULL', [at, updateId]);
  }

  prune(before: string): Promise<number> {
    return changes(this.pool, 'DELETE FROM update_claim WHERE expires_at < $1', [before]);
  }
}
