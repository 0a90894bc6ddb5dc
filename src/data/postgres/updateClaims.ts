import type pg from 'pg';
import type { UpdateClaims } from '../../core/ports.ts';
import { changes } from './sql.ts';

/**
 * Update claims (migration `update claims`). One statement on the primary key: replicas racing for
 * an update id queue on its row, and only the first changes anything.
 */
export class PgUpdateClaims implements UpdateClaims {
  constructor(private readonly pool: pg.Pool) {}

  /** An expired row is taken over in place; an unexpired one leaves the statement changing nothing. */
  async claim(updateId: number, owner: string, until: string, now: string): Promise<boolean> {
    const written = await changes(
      this.pool,
      `INSERT INTO update_claim (update_id, owner, claimed_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (update_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at,
         expires_at = excluded.expires_at
       WHERE update_claim.expires_at <= excluded.claimed_at`,
      [updateId, owner, now, until],
    );
    return written > 0;
  }

  prune(before: string): Promise<number> {
    return changes(this.pool, 'DELETE FROM update_claim WHERE expires_at < $1', [before]);
  }
}
