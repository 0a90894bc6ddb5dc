import type Database from 'better-sqlite3';
import type { Contribution } from '../../ml/index.ts';
import type { CustomerExplanation, ExplanationRepository } from '../../core/ports.ts';
import { decodeDrivers, encodeDrivers } from '../storedJson.ts';

/** Explanations per (model version, customer): a primary-key lookup per answer. */
export class SqliteExplanationRepository implements ExplanationRepository {
  private readonly selectOne;
  private readonly selectBase;
  private readonly insert;
  private readonly putTx;

  constructor(db: Database.Database) {
    this.selectOne = db.prepare<[number, number], string>('SELECT drivers FROM explanation WHERE model_version = ? AND id = ?').pluck();
    this.selectBase = db.prepare<[number, number], number | null>('SELECT base FROM explanation WHERE model_version = ? AND id = ?').pluck();
    this.insert = db.prepare('INSERT OR IGNORE INTO explanation (model_version, id, drivers, base) VALUES (?, ?, ?, ?)');
    this.putTx = db.transaction((modelVersion: number, rows: readonly CustomerExplanation[]) => {
      for (const r of rows) this.insert.run(modelVersion, r.id, encodeDrivers(r.drivers), r.base ?? null);
    });
  }

  async get(modelVersion: number, id: number): Promise<Contribution[] | null> {
    const text = this.selectOne.get(modelVersion, id);
    return text === undefined ? null : decodeDrivers(text);
  }

  async base(modelVersion: number, id: number): Promise<number | null> {
    return this.selectBase.get(modelVersion, id) ?? null;
  }

  /** One transaction (a savepoint inside saveAndActivate's, which calls this). */
  write(modelVersion: number, rows: readonly CustomerExplanation[]): void {
    if (rows.length) this.putTx(modelVersion, rows);
  }

  async put(modelVersion: number, rows: readonly CustomerExplanation[]): Promise<void> {
    this.write(modelVersion, rows);
  }
}
