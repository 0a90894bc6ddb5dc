import type pg from 'pg';
import type { CleanDataset, Customer, DatasetVersion, DroppedCustomer } from '../../core/domain.ts';
import type { CustomerSink, DatasetRepository } from '../../core/ports.ts';
import { CUSTOMER_COLUMNS } from '../customerColumns.ts';
import { binaryCopyWriter, copyBinary, copyRows, type BinaryType, type CopyValue } from './copy.ts';
import { row, rows, transaction } from './sql.ts';
import { nextVersion } from './versionCounter.ts';

/** Columns read straight into a Customer (allow_notify 0/1 becomes the boolean). */
const SELECT_CUSTOMER = `SELECT ${CUSTOMER_COLUMNS.map(([field, column]) =>
  field === 'allowNotify' ? `(${column} = 1) AS "${field}"` : `${column} AS "${field}"`,
).join(', ')} FROM customer`;

const DATASET_COLUMNS = 'version, created_at AS "createdAt", source, customers_in AS "customersIn", customers_kept AS "customersKept", positives';

const CUSTOMER_FIELDS = CUSTOMER_COLUMNS.map(([field]) => field);

/** The customer table's columns and types (schema.ts), for the binary COPY. */
const TEXT_COLUMNS = new Set(['service_type', 'popular_category']);
const SMALLINT_COLUMNS = new Set(['label', 'allow_notify']);
const CUSTOMER_COPY: readonly (readonly [string, BinaryType])[] = [
  ['version', 'int8'],
  ...CUSTOMER_COLUMNS.map(([, column]): [string, BinaryType] => [
    column,
    column === 'id' ? 'int8' : TEXT_COLUMNS.has(column) ? 'text' : SMALLINT_COLUMNS.has(column) ? 'int2' : 'float8',
  ]),
];

/** Fills the reused row array of a customer by index (no closures or spreads per customer). */
function fillCustomerRow(r: CopyValue[], c: Readonly<Customer>): CopyValue[] {
  for (let i = 0; i < CUSTOMER_FIELDS.length; i++) {
    const field = CUSTOMER_FIELDS[i];
    r[i + 1] = field === 'allowNotify' ? (c.allowNotify ? 1 : 0) : c[field];
  }
  return r;
}

function customerRow(version: number): CopyValue[] {
  const r: CopyValue[] = new Array(CUSTOMER_FIELDS.length + 1);
  r[0] = version;
  return r;
}

function* customerRows(version: number, customers: readonly Customer[]): Generator<CopyValue[]> {
  const r = customerRow(version);
  for (const c of customers) yield fillCustomerRow(r, c);
}

const positivesOf = (customers: readonly Customer[]) => customers.reduce((n, c) => n + (c.label === 1 ? 1 : 0), 0);

/** Data set versions and their customers; customers go in with COPY, inside the version's transaction. */
export class PgDatasetRepository implements DatasetRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  /** All or nothing: any failure (a duplicate id, a NaN, a lost connection) rolls the whole version back. */
  create(data: CleanDataset, source: string): Promise<DatasetVersion> {
    return transaction(this.pool, async (client) => {
      const version = await nextVersion(client, 'dataset');
      const positives = positivesOf(data.customers);
      const created = await row<DatasetVersion>(
        client,
        `INSERT INTO dataset (version, created_at, source, customers_in, customers_kept, positives, rows_in)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${DATASET_COLUMNS}`,
        [version, this.now().toISOString(), source, data.customersIn, data.customers.length, positives, JSON.stringify(data.rowsIn)],
      );
      await copyBinary(client, 'customer', CUSTOMER_COPY, customerRows(version, data.customers));
      await copyRows(client, 'dropped_customer', ['version', 'id', 'reason'], data.dropped.map((d) => [version, d.id, d.reason]));
      return created!;
    });
  }

  /**
   * The customers are COPYed while `read` parses the files (the server loads on its own core), so
   * the version's row goes in first and gets its counts at the end, in the same transaction
   * (migration 13 lets only that transaction complete it).
   */
  async createWhileReading(source: string, read: (sink: CustomerSink) => Promise<CleanDataset>): Promise<{ dataset: DatasetVersion; data: CleanDataset }> {
    return transaction(this.pool, async (client) => {
      const version = await nextVersion(client, 'dataset');
      await client.query(
        `INSERT INTO dataset (version, created_at, source, customers_in, customers_kept, positives, rows_in) VALUES ($1, $2, $3, 0, 0, 0, '{}')`,
        [version, this.now().toISOString(), source],
      );
      const copy = binaryCopyWriter(client, 'customer', CUSTOMER_COPY);
      const r = customerRow(version);
      let data: CleanDataset;
      try {
        data = await read({ write: (c) => copy.write(fillCustomerRow(r, c)), ready: () => copy.ready() });
      } catch (e) {
        await copy.abort();
        throw e;
      }
      await copy.end();
      const dataset = await row<DatasetVersion>(
        client,
        `UPDATE dataset SET customers_in = $2, customers_kept = $3, positives = $4, rows_in = $5 WHERE version = $1 RETURNING ${DATASET_COLUMNS}`,
        [version, data.customersIn, data.customers.length, positivesOf(data.customers), JSON.stringify(data.rowsIn)],
      );
      await copyRows(client, 'dropped_customer', ['version', 'id', 'reason'], data.dropped.map((d) => [version, d.id, d.reason]));
      return { dataset: dataset!, data };
    });
  }

  get(version: number): Promise<DatasetVersion | null> {
    return row<DatasetVersion>(this.pool, `SELECT ${DATASET_COLUMNS} FROM dataset WHERE version = $1`, [version]);
  }

  latest(): Promise<DatasetVersion | null> {
    return row<DatasetVersion>(this.pool, `SELECT ${DATASET_COLUMNS} FROM dataset ORDER BY version DESC LIMIT 1`);
  }

  /** Oldest first. */
  list(): Promise<DatasetVersion[]> {
    return rows<DatasetVersion>(this.pool, `SELECT ${DATASET_COLUMNS} FROM dataset ORDER BY version`);
  }

  /** Ordered by id; empty for an unknown version. */
  customers(version: number): Promise<Customer[]> {
    return rows<Customer>(this.pool, `${SELECT_CUSTOMER} WHERE version = $1 ORDER BY id`, [version]);
  }

  customer(version: number, id: number): Promise<Customer | null> {
    return row<Customer>(this.pool, `${SELECT_CUSTOMER} WHERE version = $1 AND id = $2`, [version, id]);
  }

  /** Up to n ids nearest to `id` (itself first if known); on equal distance the smaller id first. Two primary-key range scans. */
  async nearestIds(version: number, id: number, n: number): Promise<number[]> {
    if (n <= 0) return [];
    const found = await rows<{ id: number }>(
      this.pool,
      `SELECT id FROM (
         (SELECT id FROM customer WHERE version = $1 AND id >= $2 ORDER BY id LIMIT $3)
         UNION ALL
         (SELECT id FROM customer WHERE version = $1 AND id < $2 ORDER BY id DESC LIMIT $3)
       ) near ORDER BY abs(id - $2), id LIMIT $3`,
      [version, id, n],
    );
    return found.map((r) => r.id);
  }

  dropped(version: number): Promise<DroppedCustomer[]> {
    return rows<DroppedCustomer>(this.pool, 'SELECT id, reason FROM dropped_customer WHERE version = $1 ORDER BY id', [version]);
  }
}
