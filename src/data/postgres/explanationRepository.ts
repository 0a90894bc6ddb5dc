import type pg from 'pg';
import type { CustomerExplanation, ExplanationRepository } from '../../core/ports.ts';
import type { Contribution } from '../../ml/index.ts';
import { decodeDrivers, encodeDrivers } from '../storedJson.ts';
import { copyRows } from './copy.ts';
import { changes, row } from './sql.ts';

/** The first explanation of each customer: write-once holds inside one batch too. */
function firstPerCustomer(rows: readonly CustomerExplanation[]): CustomerExplanation[] {
  const seen = new Set<number>();
  return rows.filter((r) => !seen.has(r.id) && (seen.add(r.id), true));
}

/** NaN is no base, as SQLite stores it (NULL). */
const baseOf = (r: CustomerExplanation) => (r.base == null || Number.isNaN(r.base) ? null : r.base);

/** Explanations per (model version, customer): a primary-key lookup per answer. */
export class PgExplanationRepository implements ExplanationRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(modelVersion: number, id: number): Promise<Contribution[] | null> {
    const r = await row<{ drivers: string }>(this.pool, 'SELECT drivers FROM explanation WHERE model_version = $1 AND id = $2', [modelVersion, id]);
    return r ? decodeDrivers(r.drivers) : null;
  }

  async base(modelVersion: number, id: number): Promise<number | null> {
    const r = await row<{ base: number | null }>(this.pool, 'SELECT base FROM explanation WHERE model_version = $1 AND id = $2', [modelVersion, id]);
    return r?.base ?? null;
  }

  /** Write-once, in one statement: a key already stored (by anyone, or earlier in `rows`) keeps its explanation. */
  async put(modelVersion: number, rows: readonly CustomerExplanation[]): Promise<void> {
    if (!rows.length) return;
    await changes(
      this.pool,
      `INSERT INTO explanation (model_version, id, drivers, base)
       SELECT $1::bigint, id, drivers, base FROM unnest($2::bigint[], $3::text[], $4::float8[]) WITH ORDINALITY AS r(id, drivers, base, seq)
       ORDER BY seq ON CONFLICT (model_version, id) DO NOTHING`,
      [modelVersion, rows.map((r) => r.id), rows.map((r) => encodeDrivers(r.drivers)), rows.map((r) => baseOf(r))],
    );
  }

  /** The explanations of a model version being saved (none stored yet), by COPY inside the save's transaction. */
  async writeNew(client: pg.ClientBase, modelVersion: number, rows: readonly CustomerExplanation[]): Promise<void> {
    const first = firstPerCustomer(rows);
    await copyRows(client, 'explanation', ['model_version', 'id', 'drivers', 'base'], first.map((r) => [modelVersion, r.id, encodeDrivers(r.drivers), baseOf(r)]));
  }
}
