import type Database from 'better-sqlite3';
import type { UpdateClaims } from '../../core/ports.ts';

/**
 * Update claims (migration `update claims`). The primary key on update_id makes the claim one
 * atomic statement, so two replicas on the same file (or two connections) can never both win.
 */
export class SqliteUpdateClaims implements UpdateClaims {
  private readonly insert;
  private readonly deleteExpired;

  constructor(db: Database.Database) {
    // An expired row is taken over in place; an unexpired one leaves the statement changing nothing.
    this.insert = db.prepare(
      `INSERT INTO update_claim (update_id, owner, claimed_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (update_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at,
         expires_at = excluded.expires_at
       WHERE update_claim.expires_at <= excluded.claimed_at`,
    );
    this.deleteExpired = db.prepare('DELETE FROM update_claim WHERE expires_at < ?');
  }

  async claim(updateId: number, owner: string, until: string, now: string): Promise<boolean> {
    return this.insert.run(updateId, owner, now, until).changes > 0;
  }

  async prune(before: string): Promise<number> {
    return this.deleteExpired.run(before).changes;
  }
}
