import type pg from 'pg';
import type { ContactRepository, CustomerContact } from '../../core/ports.ts';
import { copyRows } from './copy.ts';
import { row, rows, transaction } from './sql.ts';

const CONTACT_COLUMNS = 'id, name, phone, email, extra::json AS extra';

/**
 * customer_contact (migration `campaign`): one row per customer id, whatever the data set version.
 * An upload's contacts go in by COPY into a staging table and one upsert from it; a file that
 * names an id twice keeps its last row, as SQLite's row-by-row upsert does.
 */
export class PgContactRepository implements ContactRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  upsert(contacts: readonly CustomerContact[], source: string): Promise<number> {
    return transaction(this.pool, async (client) => {
      await client.query(
        'CREATE TEMP TABLE contact_in (seq BIGINT, id BIGINT, name TEXT, phone TEXT, email TEXT, extra TEXT) ON COMMIT DROP',
      );
      await copyRows(
        client,
        'contact_in',
        ['seq', 'id', 'name', 'phone', 'email', 'extra'],
        contacts.map((c, seq) => [seq, c.id, c.name, c.phone, c.email, JSON.stringify(c.extra)]),
      );
      await client.query(
        `INSERT INTO customer_contact (id, name, phone, email, extra, source, updated_at)
         SELECT DISTINCT ON (id) id, name, phone, email, extra, $1, $2 FROM contact_in ORDER BY id, seq DESC
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, email = excluded.email,
           extra = excluded.extra, source = excluded.source, updated_at = excluded.updated_at`,
        [source, this.now().toISOString()],
      );
      return contacts.length;
    });
  }

  get(id: number): Promise<CustomerContact | null> {
    return row<CustomerContact>(this.pool, `SELECT ${CONTACT_COLUMNS} FROM customer_contact WHERE id = $1`, [id]);
  }

  /** One statement whatever the number of ids (an array parameter, not one placeholder per id). */
  byIds(ids: readonly number[]): Promise<CustomerContact[]> {
    if (!ids.length) return Promise.resolve([]);
    return rows<CustomerContact>(this.pool, `SELECT ${CONTACT_COLUMNS} FROM customer_contact WHERE id = ANY($1::bigint[]) ORDER BY id`, [[...ids]]);
  }

  async count(): Promise<number> {
    return (await row<{ n: number }>(this.pool, 'SELECT COUNT(*)::int AS n FROM customer_contact'))!.n;
  }
}
