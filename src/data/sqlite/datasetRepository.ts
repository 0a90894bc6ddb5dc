import type Database from 'better-sqlite3';
import type { CleanDataset, Customer, DatasetVersion, DroppedCustomer } from '../../core/domain.ts';
import type { DatasetRepository } from '../../core/ports.ts';
import { CUSTOMER_COLUMNS } from '../customerColumns.ts';

const SELECT_CUSTOMER = `SELECT ${CUSTOMER_COLUMNS.map(([, c]) => c).join(', ')} FROM customer`;

type CustomerRow = unknown[];

function toCustomer(r: CustomerRow): Customer {
  return {
    id: r[0] as number,
    label: r[1] as 0 | 1 | null,
    serviceType: r[2] as Customer['serviceType'],
    allowNotify: r[3] === 1,
    marketActive6m: r[4] as number,
    marketActiveCurrent: r[5] as number,
    tenureDays: r[6] as number,
    promoShare: r[7] as number,
    popularCategory: r[8] as string,
    categoriesPerVisit: r[9] as number,
    unpaidItems: r[10] as number,
    serviceErrors: r[11] as number,
    pagesPerVisit: r[12] as number,
    revenuePrePrev: r[13] as number,
    revenuePrev: r[14] as number,
    revenueCurrent: r[15] as number,
    minutesPrev: r[16] as number,
    minutesCurrent: r[17] as number,
    profit: r[18] as number,
  };
}

interface DatasetRow {
  version: number;
  created_at: string;
  source: string;
  customers_in: number;
  customers_kept: number;
  positives: number;
}

const toVersion = (r: DatasetRow): DatasetVersion => ({
  version: r.version,
  createdAt: r.created_at,
  source: r.source,
  customersIn: r.customers_in,
  customersKept: r.customers_kept,
  positives: r.positives,
});

const DATASET_COLUMNS = 'version, created_at, source, customers_in, customers_kept, positives';

export class SqliteDatasetRepository implements DatasetRepository {
  private readonly insertDataset;
  private readonly insertCustomer;
  private readonly insertDropped;
  private readonly selectOne;
  private readonly selectLatest;
  private readonly selectAll;
  private readonly selectCustomers;
  private readonly selectCustomer;
  private readonly idsFrom;
  private readonly idsBelow;
  private readonly selectDropped;
  private readonly createTx;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.insertDataset = db.prepare(
      'INSERT INTO dataset (created_at, source, customers_in, customers_kept, positives, rows_in) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertCustomer = db.prepare(
      `INSERT INTO customer (version, ${CUSTOMER_COLUMNS.map(([, c]) => c).join(', ')}) VALUES (?${', ?'.repeat(CUSTOMER_COLUMNS.length)})`,
    );
    this.insertDropped = db.prepare('INSERT INTO dropped_customer (version, id, reason) VALUES (?, ?, ?)');
    this.selectOne = db.prepare<[number], DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM dataset WHERE version = ?`);
    this.selectLatest = db.prepare<[], DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM dataset ORDER BY version DESC LIMIT 1`);
    this.selectAll = db.prepare<[], DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM dataset ORDER BY version`);
    this.selectCustomers = db.prepare<[number], CustomerRow>(`${SELECT_CUSTOMER} WHERE version = ? ORDER BY id`).raw();
    this.selectCustomer = db.prepare<[number, number], CustomerRow>(`${SELECT_CUSTOMER} WHERE version = ? AND id = ?`).raw();
    this.idsFrom = db.prepare<[number, number, number], number>('SELECT id FROM customer WHERE version = ? AND id >= ? ORDER BY id LIMIT ?').pluck();
    this.idsBelow = db.prepare<[number, number, number], number>('SELECT id FROM customer WHERE version = ? AND id < ? ORDER BY id DESC LIMIT ?').pluck();
    this.selectDropped = db.prepare<[number], DroppedCustomer>('SELECT id, reason FROM dropped_customer WHERE version = ? ORDER BY id');

    this.createTx = db.transaction((data: CleanDataset, source: string): number => {
      let positives = 0;
      for (const c of data.customers) if (c.label === 1) positives++;
      const version = Number(
        this.insertDataset.run(this.now().toISOString(), source, data.customersIn, data.customers.length, positives, JSON.stringify(data.rowsIn))
          .lastInsertRowid,
      );
      const ins = this.insertCustomer;
      for (const c of data.customers) {
        ins.run(
          version,
          c.id,
          c.label,
          c.serviceType,
          c.allowNotify ? 1 : 0,
          c.marketActive6m,
          c.marketActiveCurrent,
          c.tenureDays,
          c.promoShare,
          c.popularCategory,
          c.categoriesPerVisit,
          c.unpaidItems,
          c.serviceErrors,
          c.pagesPerVisit,
          c.revenuePrePrev,
          c.revenuePrev,
          c.revenueCurrent,
          c.minutesPrev,
          c.minutesCurrent,
          c.profit,
        );
      }
      for (const d of data.dropped) this.insertDropped.run(version, d.id, d.reason);
      return version;
    });
  }

  /** All or nothing: any failure (a duplicate id, a NaN, a full disk) rolls the whole version back. */
  async create(data: CleanDataset, source: string): Promise<DatasetVersion> {
    const version = this.createTx.immediate(data, source);
    return (await this.get(version))!;
  }

  async get(version: number): Promise<DatasetVersion | null> {
    const r = this.selectOne.get(version);
    return r ? toVersion(r) : null;
  }

  async latest(): Promise<DatasetVersion | null> {
    const r = this.selectLatest.get();
    return r ? toVersion(r) : null;
  }

  /** Oldest first. */
  async list(): Promise<DatasetVersion[]> {
    return this.selectAll.all().map(toVersion);
  }

  /** Ordered by id; empty for an unknown version. */
  async customers(version: number): Promise<Customer[]> {
    const out: Customer[] = [];
    for (const r of this.selectCustomers.iterate(version)) out.push(toCustomer(r));
    return out;
  }

  async customer(version: number, id: number): Promise<Customer | null> {
    const r = this.selectCustomer.get(version, id);
    return r ? toCustomer(r) : null;
  }

  /** Up to n ids nearest to `id` (itself first if known); on equal distance the smaller id first. Two index range scans. */
  async nearestIds(version: number, id: number, n: number): Promise<number[]> {
    if (n <= 0) return [];
    const up = this.idsFrom.all(version, id, n);
    const down = this.idsBelow.all(version, id, n);
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (out.length < n && (i < up.length || j < down.length)) {
      if (j < down.length && (i >= up.length || id - down[j] <= up[i] - id)) out.push(down[j++]);
      else out.push(up[i++]);
    }
    return out;
  }

  async dropped(version: number): Promise<DroppedCustomer[]> {
    return this.selectDropped.all(version);
  }
}
