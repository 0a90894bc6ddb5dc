import type Database from 'better-sqlite3';
import type {
  DeliveryStatus,
  DigestDelivery,
  DigestLease,
  DigestRun,
  DigestRunRepository,
  NewDigestRun,
} from '../../core/ports.ts';
import type { Reply } from '../../core/reply.ts';
import { partRow, toPart, type PartRow } from '../digestParts.ts';
import { CorruptRecordError } from '../errors.ts';
import { readJson } from '../storedJson.ts';

interface RunRow {
  period: string;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  model_version: number;
  dataset_version: number;
  at_risk_ids: string;
}

interface DeliveryRow {
  chat_id: number;
  status: DeliveryStatus;
  parts_sent: number;
  part_in_flight: number | null;
  parts_lost: number;
  attempts: number;
  error: string | null;
}

const RUN_COLUMNS = 'period, trigger, started_at, finished_at, model_version, dataset_version, at_risk_ids';

function toRun(r: RunRow): DigestRun {
  const ids = readJson(r.at_risk_ids, 'digest_run', r.period, 'at_risk_ids');
  if (!Array.isArray(ids)) throw new CorruptRecordError('digest_run', r.period, 'at_risk_ids');
  return {
    period: r.period,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    modelVersion: r.model_version,
    datasetVersion: r.dataset_version,
    atRiskIds: ids as number[],
  };
}

/**
 * Digest runs (migration `digest`): one row per ISO week with the frozen content (so a resumed run
 * sends exactly what the first chats got) and one delivery row per chat.
 */
export class SqliteDigestRepository implements DigestRunRepository {
  private readonly selectRun;
  private readonly selectPrevious;
  private readonly selectHistory;
  private readonly insertRun;
  private readonly updateRun;
  private readonly deleteParts;
  private readonly insertPart;
  private readonly resetDeliveries;
  private readonly takeLease;
  private readonly dropLease;
  private readonly selectParts;
  private readonly insertDelivery;
  private readonly requeue;
  private readonly selectDeliveries;
  private readonly setInFlight;
  private readonly setProgress;
  private readonly setLost;
  private readonly setFinal;
  private readonly addAttempt;
  private readonly setFinished;
  private readonly createTx;
  private readonly replaceTx;
  private readonly enqueueTx;

  constructor(db: Database.Database) {
    this.selectRun = db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM digest_run WHERE period = ?`);
    this.selectPrevious = db.prepare<[string], RunRow>(
      `SELECT ${RUN_COLUMNS} FROM digest_run WHERE period < ? ORDER BY period DESC LIMIT 1`,
    );
    this.selectHistory = db.prepare<[string, number], { period: string; at_risk_count: number }>(
      'SELECT period, at_risk_count FROM digest_run WHERE period < ? ORDER BY period DESC LIMIT ?',
    );
    this.insertRun = db.prepare(
      `INSERT INTO digest_run (period, trigger, started_at, model_version, dataset_version, at_risk_count, at_risk_ids, lease_owner, lease_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (period) DO NOTHING`,
    );
    this.updateRun = db.prepare(
      `UPDATE digest_run SET trigger = ?, started_at = ?, finished_at = NULL, model_version = ?, dataset_version = ?,
         at_risk_count = ?, at_risk_ids = ? WHERE period = ?`,
    );
    this.deleteParts = db.prepare('DELETE FROM digest_part WHERE period = ?');
    this.insertPart = db.prepare(
      'INSERT INTO digest_part (period, seq, type, text, content, file_name, caption) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.resetDeliveries = db.prepare(
      "UPDATE digest_delivery SET status = 'pending', parts_sent = 0, part_in_flight = NULL, parts_lost = 0, attempts = 0, error = NULL, updated_at = ? WHERE period = ?",
    );
    this.takeLease = db.prepare(
      `UPDATE digest_run SET lease_owner = ?, lease_until = ?
       WHERE period = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)`,
    );
    this.dropLease = db.prepare('UPDATE digest_run SET lease_owner = NULL, lease_until = NULL WHERE period = ? AND lease_owner = ?');
    this.selectParts = db.prepare<[string], PartRow>(
      'SELECT type, text, content, file_name, caption FROM digest_part WHERE period = ? ORDER BY seq',
    );
    this.insertDelivery = db.prepare(
      "INSERT INTO digest_delivery (period, chat_id, status, updated_at) VALUES (?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
    );
    this.requeue = db.prepare(
      "UPDATE digest_delivery SET status = 'pending', updated_at = ? WHERE period = ? AND status IN ('failed', 'skipped')",
    );
    this.selectDeliveries = db.prepare<[string], DeliveryRow>(
      'SELECT chat_id, status, parts_sent, part_in_flight, parts_lost, attempts, error FROM digest_delivery WHERE period = ? ORDER BY attempts, chat_id',
    );
    this.setInFlight = db.prepare('UPDATE digest_delivery SET part_in_flight = ?, updated_at = ? WHERE period = ? AND chat_id = ?');
    this.setProgress = db.prepare(
      'UPDATE digest_delivery SET parts_sent = ?, part_in_flight = NULL, updated_at = ? WHERE period = ? AND chat_id = ?',
    );
    this.setLost = db.prepare(
      `UPDATE digest_delivery SET parts_sent = part_in_flight + 1, part_in_flight = NULL, parts_lost = parts_lost + 1, error = ?, updated_at = ?
       WHERE period = ? AND chat_id = ? AND part_in_flight = ?`,
    );
    this.setFinal = db.prepare(
      'UPDATE digest_delivery SET status = ?, part_in_flight = NULL, error = ?, updated_at = ? WHERE period = ? AND chat_id = ?',
    );
    this.addAttempt = db.prepare(
      'UPDATE digest_delivery SET attempts = attempts + 1, part_in_flight = NULL, error = ?, updated_at = ? WHERE period = ? AND chat_id = ?',
    );
    this.setFinished = db.prepare('UPDATE digest_run SET finished_at = ? WHERE period = ?');

    const insertParts = (period: string, parts: readonly Reply[]) =>
      parts.forEach((p, seq) => this.insertPart.run(period, seq, ...partRow(p)));
    const snapshot = (run: NewDigestRun) => [run.modelVersion, run.datasetVersion, run.atRiskIds.length, JSON.stringify(run.atRiskIds)];

    this.createTx = db.transaction((run: NewDigestRun, lease: DigestLease, now: string): boolean => {
      const inserted = this.insertRun.run(run.period, run.trigger, now, ...snapshot(run), lease.owner, lease.until).changes > 0;
      if (inserted) insertParts(run.period, run.parts);
      return inserted;
    });
    this.replaceTx = db.transaction((run: NewDigestRun, now: string) => {
      this.updateRun.run(run.trigger, now, ...snapshot(run), run.period);
      this.deleteParts.run(run.period);
      insertParts(run.period, run.parts);
      this.resetDeliveries.run(now, run.period);
    });
    this.enqueueTx = db.transaction((period: string, chatIds: readonly number[], now: string): number => {
      let added = 0;
      for (const id of chatIds) added += this.insertDelivery.run(period, id, now).changes;
      return added;
    });
  }

  async get(period: string): Promise<DigestRun | null> {
    const r = this.selectRun.get(period);
    return r ? toRun(r) : null;
  }

  async previous(period: string): Promise<DigestRun | null> {
    const r = this.selectPrevious.get(period);
    return r ? toRun(r) : null;
  }

  async history(period: string, limit: number): Promise<{ period: string; atRiskCount: number }[]> {
    return this.selectHistory
      .all(period, limit)
      .reverse()
      .map((r) => ({ period: r.period, atRiskCount: r.at_risk_count }));
  }

  async create(run: NewDigestRun, lease: DigestLease, now: string): Promise<boolean> {
    return this.createTx.immediate(run, lease, now);
  }

  async replace(run: NewDigestRun, now: string): Promise<void> {
    this.replaceTx.immediate(run, now);
  }

  async acquire(period: string, lease: DigestLease, now: string): Promise<boolean> {
    return this.takeLease.run(lease.owner, lease.until, period, lease.owner, now).changes > 0;
  }

  async release(period: string, owner: string): Promise<void> {
    this.dropLease.run(period, owner);
  }

  async parts(period: string): Promise<Reply[]> {
    return this.selectParts.all(period).map(toPart);
  }

  async enqueue(period: string, chatIds: readonly number[], now: string): Promise<number> {
    return this.enqueueTx.immediate(period, chatIds, now);
  }

  async requeueFailed(period: string, now: string): Promise<number> {
    return this.requeue.run(now, period).changes;
  }

  async deliveries(period: string): Promise<DigestDelivery[]> {
    return this.selectDeliveries.all(period).map((r) => ({
      chatId: r.chat_id,
      status: r.status,
      partsSent: r.parts_sent,
      partInFlight: r.part_in_flight,
      partsLost: r.parts_lost,
      attempts: r.attempts,
      error: r.error,
    }));
  }

  async markInFlight(period: string, chatId: number, part: number, now: string): Promise<void> {
    this.setInFlight.run(part, now, period, chatId);
  }

  async markProgress(period: string, chatId: number, partsSent: number, now: string): Promise<void> {
    this.setProgress.run(partsSent, now, period, chatId);
  }

  async markLost(period: string, chatId: number, part: number, error: string, now: string): Promise<void> {
    this.setLost.run(error, now, period, chatId, part);
  }

  async markFinal(period: string, chatId: number, status: Exclude<DeliveryStatus, 'pending'>, error: string | null, now: string): Promise<void> {
    this.setFinal.run(status, error, now, period, chatId);
  }

  async markAttempt(period: string, chatId: number, error: string, now: string): Promise<void> {
    this.addAttempt.run(error, now, period, chatId);
  }

  async finish(period: string, now: string): Promise<void> {
    this.setFinished.run(now, period);
  }
}
