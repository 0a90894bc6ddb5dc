import type Database from 'better-sqlite3';
import type { Leases } from '../../core/ports.ts';

/**
 * Named leases (migration `replicas`). Acquire is one conditional upsert on the name, so of two
 * processes racing for a free lease exactly one changes the row.
 */
export class SqliteLeases implements Leases {
  private readonly take;
  private readonly drop;

  constructor(db: Database.Database) {
    this.take = db.prepare(
      `INSERT INTO lease (name, owner, until) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE lease.owner = excluded.owner OR lease.until <= ?`,
    );
    this.drop = db.prepare('DELETE FROM lease WHERE name = ? AND owner = ?');
  }

  async acquire(name: string, owner: string, until: string, now: string): Promise<boolean> {
    return this.take.run(name, owner, until, now).changes > 0;
  }

  async release(name: string, owner: string): Promise<void> {
    this.drop.run(name, owner);
  }
}
