import type pg from 'pg';
import type { Leases } from '../../core/ports.ts';
import { changes } from './sql.ts';

/**
 * Named leases (migration `replicas`). Acquire is one conditional upsert on the primary key:
 * processes racing for a free lease queue on its row, and only the first changes it.
 */
export class PgLeases implements Leases {
  constructor(private readonly pool: pg.Pool) {}

  async acquire(name: string, owner: string, until: string, now: string): Promise<boolean> {
    const written = await changes(
      this.pool,
      `INSERT INTO lease (name, owner, until) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE lease.owner = excluded.owner OR lease.until <= $4`,
      [name, owner, until, now],
    );
    return written > 0;
  }

  async release(name: string, owner: string): Promise<void> {
    await changes(this.pool, 'DELETE FROM lease WHERE name = $1 AND owner = $2', [name, owner]);
  }
}
