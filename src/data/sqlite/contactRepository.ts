import type Database from 'better-sqlite3';
import type { ContactRepository, CustomerContact } from '../../core/ports.ts';

interface ContactRow {
  id: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  extra: string;
}

const toContact = (r: ContactRow): CustomerContact => ({
  id: r.id,
  name: r.name,
  phone: r.phone,
  email: r.email,
  extra: JSON.parse(r.extra) as Record<string, string>,
});

/** Ids per lookup query: well below SQLite's default limit of 32 766 bound parameters. */
const LOOKUP_BATCH = 500;

/** customer_contact (migration `campaign`): one row per customer id, whatever the data set version. */
export class SqliteContactRepository implements ContactRepository {
  private readonly upsertOne;
  private readonly selectOne;
  private readonly selectCount;
  private readonly upsertTx;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.upsertOne = db.prepare(
      `INSERT INTO customer_contact (id, name, phone, email, extra, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, email = excluded.email,
         extra = excluded.extra, source = excluded.source, updated_at = excluded.updated_at`,
    );
    this.selectOne = db.prepare<[number], ContactRow>('SELECT id, name, phone, email, extra FROM customer_contact WHERE id = ?');
    this.selectCount = db.prepare<[], number>('SELECT COUNT(*) FROM customer_contact').pluck();
    this.upsertTx = db.transaction((contacts: readonly CustomerContact[], source: string, at: string) => {
      for (const c of contacts) this.upsertOne.run(c.id, c.name, c.phone, c.email, JSON.stringify(c.extra), source, at);
      return contacts.length;
    });
  }

  async upsert(contacts: readonly CustomerContact[], source: string): Promise<number> {
    return this.upsertTx.immediate(contacts, source, this.now().toISOString());
  }

  async get(id: number): Promise<CustomerContact | null> {
    const r = this.selectOne.get(id);
    return r ? toContact(r) : null;
  }

  async byIds(ids: readonly number[]): Promise<CustomerContact[]> {
    const out: CustomerContact[] = [];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const batch = ids.slice(i, i + LOOKUP_BATCH);
      const rows = this.db
        .prepare<number[], ContactRow>(`SELECT id, name, phone, email, extra FROM customer_contact WHERE id IN (${batch.map(() => '?').join(', ')})`)
        .all(...batch);
      for (const r of rows) out.push(toContact(r));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async count(): Promise<number> {
    return this.selectCount.get() ?? 0;
  }
}
