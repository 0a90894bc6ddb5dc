import type pg from 'pg';
import type { Leases } from '../../core/ports.ts';
import { changes, row } from './sql.ts';

/**
 * Named leases (migration `replicas`). Acquire is one conditional upsert on the primary key:
 * processes racing for a free lease queue on its row, and only the first changes it.
 */
export class PgLeases implements Leases {
  constructor(private readonly pool: pg.Pool) {}

  async acquire(name: string, owner: string, until: string, now: string, replacing?: string): Promise<boolean> {
    const written = await changes(
      this.pool,
      `INSERT INTO lease (name, owner, until) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE lease.owner = excluded.owner OR lease.until <= $4 OR lease.owner = $5::text`,
      [name, owner, until, now, replacing ?? null],
    );
    return written > 0;
  }

  async holder(name: string, now: string): Promise<string | null> {
    return (await row<{ owner: string }>(this.pool, 'SELECT owner FROM lease WHERE name = $1 AND until > $2', [name, now]))?.owner ?? null;
  }

  async release(name: string, owner: string): Promise<void> {
    await changes(this.pool, 'DELETE FROM lease WHERE name = $1 AND owner = $2', [name, owner]);
  }
}
