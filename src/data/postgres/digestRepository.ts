import type pg from 'pg';
import type { DeliveryStatus, DigestDelivery, DigestLease, DigestRun, DigestRunRepository, NewDigestRun } from '../../core/ports.ts';
import type { Reply } from '../../core/reply.ts';
import { partRow, toPart, type PartRow } from '../digestParts.ts';
import { CorruptRecordError } from '../errors.ts';
import { readJson } from '../storedJson.ts';
import { changes, row, rows, transaction } from './sql.ts';

type RunRow = Omit<DigestRun, 'atRiskIds'> & { atRiskIds: string };

const RUN_COLUMNS = `period, trigger, started_at AS "startedAt", finished_at AS "finishedAt",
  model_version AS "modelVersion", dataset_version AS "datasetVersion", at_risk_ids AS "atRiskIds"`;

function toRun({ atRiskIds, ...r }: RunRow): DigestRun {
  const ids = readJson(atRiskIds, 'digest_run', r.period, 'at_risk_ids');
  if (!Array.isArray(ids)) throw new CorruptRecordError('digest_run', r.period, 'at_risk_ids');
  return { ...r, atRiskIds: ids as number[] };
}

const snapshot = (run: NewDigestRun) => [run.modelVersion, run.datasetVersion, run.atRiskIds.length, JSON.stringify(run.atRiskIds)];

async function insertParts(client: pg.ClientBase, period: string, parts: readonly Reply[]): Promise<void> {
  for (const [seq, part] of parts.entries()) {
    await client.query('INSERT INTO digest_part (period, seq, type, text, content, file_name, caption) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      period,
      seq,
      ...partRow(part),
    ]);
  }
}

/**
 * Digest runs (migration `digest`): one row per ISO week with the frozen content (so a resumed run
 * sends exactly what the first chats got) and one delivery row per chat.
 *
 * The lease is one conditional UPDATE of the run's row. Rival takers queue on the row lock, and
 * READ COMMITTED re-checks the condition against the row as the winner left it, so exactly one of
 * them gets the lease; a renewal by its owner waits a moment for a rival's attempt instead of
 * failing (which `FOR UPDATE SKIP LOCKED` would make it do).
 */
export class PgDigestRepository implements DigestRunRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(period: string): Promise<DigestRun | null> {
    const r = await row<RunRow>(this.pool, `SELECT ${RUN_COLUMNS} FROM digest_run WHERE period = $1`, [period]);
    return r ? toRun(r) : null;
  }

  async previous(period: string): Promise<DigestRun | null> {
    const r = await row<RunRow>(this.pool, `SELECT ${RUN_COLUMNS} FROM digest_run WHERE period < $1 ORDER BY period DESC LIMIT 1`, [period]);
    return r ? toRun(r) : null;
  }

  async history(period: string, limit: number): Promise<{ period: string; atRiskCount: number }[]> {
    const newestFirst = await rows<{ period: string; atRiskCount: number }>(
      this.pool,
      'SELECT period, at_risk_count AS "atRiskCount" FROM digest_run WHERE period < $1 ORDER BY period DESC LIMIT $2',
      [period, limit],
    );
    return newestFirst.reverse();
  }

  create(run: NewDigestRun, lease: DigestLease, now: string): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const inserted = await changes(
        client,
        `INSERT INTO digest_run (period, trigger, started_at, model_version, dataset_version, at_risk_count, at_risk_ids, lease_owner, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (period) DO NOTHING`,
        [run.period, run.trigger, now, ...snapshot(run), lease.owner, lease.until],
      );
      if (inserted) await insertParts(client, run.period, run.parts);
      return inserted > 0;
    });
  }

  replace(run: NewDigestRun, now: string): Promise<void> {
    return transaction(this.pool, async (client) => {
      await client.query(
        `UPDATE digest_run SET trigger = $1, started_at = $2, finished_at = NULL, model_version = $3, dataset_version = $4,
           at_risk_count = $5, at_risk_ids = $6 WHERE period = $7`,
        [run.trigger, now, ...snapshot(run), run.period],
      );
      await client.query('DELETE FROM digest_part WHERE period = $1', [run.period]);
      await insertParts(client, run.period, run.parts);
      await client.query(
        "UPDATE digest_delivery SET status = 'pending', parts_sent = 0, part_in_flight = NULL, parts_lost = 0, attempts = 0, error = NULL, updated_at = $1 WHERE period = $2",
        [now, run.period],
      );
    });
  }

  async acquire(period: string, lease: DigestLease, now: string): Promise<boolean> {
    const taken = await changes(
      this.pool,
      `UPDATE digest_run SET lease_owner = $1, lease_until = $2
       WHERE period = $3 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < $4)`,
      [lease.owner, lease.until, period, now],
    );
    return taken > 0;
  }

  async release(period: string, owner: string): Promise<void> {
    await changes(this.pool, 'UPDATE digest_run SET lease_owner = NULL, lease_until = NULL WHERE period = $1 AND lease_owner = $2', [period, owner]);
  }

  async parts(period: string): Promise<Reply[]> {
    return (await rows<PartRow>(this.pool, 'SELECT type, text, content, file_name, caption FROM digest_part WHERE period = $1 ORDER BY seq', [period])).map(toPart);
  }

  /** One statement: chats that already have a delivery (or appear twice) are skipped. */
  enqueue(period: string, chatIds: readonly number[], now: string): Promise<number> {
    return changes(
      this.pool,
      `INSERT INTO digest_delivery (period, chat_id, status, updated_at)
       SELECT $1, chat_id, 'pending', $3 FROM unnest($2::bigint[]) WITH ORDINALITY AS c(chat_id, seq) ORDER BY seq
       ON CONFLICT DO NOTHING`,
      [period, [...chatIds], now],
    );
  }

  requeueFailed(period: string, now: string): Promise<number> {
    return changes(this.pool, "UPDATE digest_delivery SET status = 'pending', updated_at = $1 WHERE period = $2 AND status IN ('failed', 'skipped')", [
      now,
      period,
    ]);
  }

  deliveries(period: string): Promise<DigestDelivery[]> {
    return rows<DigestDelivery>(
      this.pool,
      `SELECT chat_id AS "chatId", status, parts_sent AS "partsSent", part_in_flight AS "partInFlight", parts_lost AS "partsLost", attempts, error
       FROM digest_delivery WHERE period = $1 ORDER BY attempts, chat_id`,
      [period],
    );
  }

  async markInFlight(period: string, chatId: number, part: number, now: string): Promise<void> {
    await changes(this.pool, 'UPDATE digest_delivery SET part_in_flight = $1, updated_at = $2 WHERE period = $3 AND chat_id = $4', [part, now, period, chatId]);
  }

  async markProgress(period: string, chatId: number, partsSent: number, now: string): Promise<void> {
    await changes(this.pool, 'UPDATE digest_delivery SET parts_sent = $1, part_in_flight = NULL, updated_at = $2 WHERE period = $3 AND chat_id = $4', [
      partsSent,
      now,
      period,
      chatId,
    ]);
  }

  async markLost(period: string, chatId: number, part: number, error: string, now: string): Promise<void> {
    await changes(
      this.pool,
      `UPDATE digest_delivery SET parts_sent = part_in_flight + 1, part_in_flight = NULL, parts_lost = parts_lost + 1, error = $1, updated_at = $2
       WHERE period = $3 AND chat_id = $4 AND part_in_flight = $5`,
      [error, now, period, chatId, part],
    );
  }

  async markFinal(period: string, chatId: number, status: Exclude<DeliveryStatus, 'pending'>, error: string | null, now: string): Promise<void> {
    await changes(this.pool, 'UPDATE digest_delivery SET status = $1, part_in_flight = NULL, error = $2, updated_at = $3 WHERE period = $4 AND chat_id = $5', [
      status,
      error,
      now,
      period,
      chatId,
    ]);
  }

  async markAttempt(period: string, chatId: number, error: string, now: string): Promise<void> {
    await changes(this.pool, 'UPDATE digest_delivery SET attempts = attempts + 1, part_in_flight = NULL, error = $1, updated_at = $2 WHERE period = $3 AND chat_id = $4', [
      error,
      now,
      period,
      chatId,
    ]);
  }

  async finish(period: string, now: string): Promise<void> {
    await changes(this.pool, 'UPDATE digest_run SET finished_at = $1 WHERE period = $2', [now, period]);
  }
}
