import type Database from 'better-sqlite3';
import type { Leases } from '../../core/ports.ts';

/**
 * Named leases (migration `replicas`). Acquire is one conditional upsert on the name, so of two
 * processes racing for a free lease exactly one changes the row.
 */
export class SqliteLeases implements Leases {
  private readonly take;
  private readonly drop;
  private readonly current;

  constructor(db: Database.Database) {
    this.take = db.prepare(
      `INSERT INTO lease (name, owner, until) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE lease.owner = excluded.owner OR lease.until <= ? OR lease.owner = ?`,
    );
    this.drop = db.prepare('DELETE FROM lease WHERE name = ? AND owner = ?');
    this.current = db.prepare('SELECT owner FROM lease WHERE name = ? AND until > ?').pluck();
  }

  async acquire(name: string, owner: string, until: string, now: string, replacing?: string): Promise<boolean> {
    return this.take.run(name, owner, until, now, replacing ?? null).changes > 0;
  }

  async holder(name: string, now: string): Promise<string | null> {
    return (this.current.get(name, now) as string | undefined) ?? null;
  }

  async release(name: string, owner: string): Promise<void> {
    this.drop.run(name, owner);
  }
}
