import type pg from 'pg';
import type { SegmentRepository, SegmentSet } from '../../core/ports.ts';
import { SEGMENT_CODES, type SegmentAggregate, type SegmentCode, type SegmentCombination, type SegmentMember, type SegmentSettings, type SegmentTables } from '../../core/segments.ts';
import { AT_THRESHOLD, aggregatesOf, atThresholdSummary, combinationRows, combinationsOf, membersOf, type MemberRow, type StoredSet } from '../segmentRows.ts';
import { copyBinary, copyRows, type CopyValue } from './copy.ts';
import { row, rows, transaction } from './sql.ts';

/** A set row read straight into a StoredSet: the JSON columns parsed by the driver, the settings built by the server. */
const SELECT_SET = `SELECT s.id, s.model_version AS "modelVersion", m.dataset_version AS "datasetVersion", s.population,
    json_build_object('highRisk', s.high_risk, 'mediumRisk', s.medium_risk, 'promoShare', s.promo_share) AS settings,
    s.cutoffs::json AS cutoffs, s.codes::json AS codes, s.categories::json AS categories,
    coalesce((SELECT size FROM segment_summary t WHERE t.set_id = s.id AND t.segment = ${AT_THRESHOLD}), 0)::int AS "atThreshold"
  FROM segment_set s JOIN model m ON m.version = s.model_version
  WHERE s.model_version = $1 AND s.high_risk = $2 AND s.medium_risk = $3 AND s.promo_share = $4`;

const settingsKey = (modelVersion: number, s: SegmentSettings) => [modelVersion, s.highRisk, s.mediumRisk, s.promoShare];

const MEMBER_COPY = [
  ['set_id', 'int8'],
  ['segment', 'int4'],
  ['rank', 'int4'],
  ['id', 'int8'],
  ['probability', 'float8'],
  ['profit', 'float8'],
  ['category', 'int4'],
  ['segments', 'int4'],
] as const;

function* memberRows(setId: number, t: SegmentTables): Generator<CopyValue[]> {
  const r: CopyValue[] = [setId, 0, 0, 0, 0, 0, 0, 0];
  const lists: [number, Int32Array][] = [...t.order.map((idx, k): [number, Int32Array] => [k, idx]), [AT_THRESHOLD, t.atThreshold]];
  for (const [k, idx] of lists) {
    r[1] = k;
    for (let rank = 0; rank < idx.length; rank++) {
      const i = idx[rank];
      r[2] = rank;
      r[3] = t.ids[i];
      r[4] = t.probability[i];
      r[5] = t.profit[i];
      r[6] = t.category[i];
      r[7] = t.masks[i];
      yield r;
    }
  }
}

/**
 * Segments stored per (model version, settings): `segment_summary` holds the aggregates and
 * `segment_member` every member with its rank, so a page of a segment is one primary-key range.
 */
export class PgSegmentRepository implements SegmentRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}

  /** One lookup of the (model_version, thresholds) unique index. */
  find(modelVersion: number, settings: SegmentSettings): Promise<SegmentSet | null> {
    return row<StoredSet>(this.pool, SELECT_SET, settingsKey(modelVersion, settings));
  }

  /**
   * Writes a set inside the caller's transaction. The insert waits for a concurrent writer of the
   * same set and then writes nothing, so the first writer's set is the one kept.
   */
  async write(client: pg.ClientBase, modelVersion: number, t: SegmentTables): Promise<void> {
    const s = t.settings;
    const created = await row<{ id: number }>(
      client,
      `INSERT INTO segment_set (model_version, high_risk, medium_risk, promo_share, codes, categories, cutoffs, population, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (model_version, high_risk, medium_risk, promo_share) DO NOTHING RETURNING id`,
      [...settingsKey(modelVersion, s), JSON.stringify(SEGMENT_CODES), JSON.stringify(t.categories), JSON.stringify(t.cutoffs), t.population, this.now().toISOString()],
    );
    if (!created) return;
    const setId = created.id;
    await copyRows(
      client,
      'segment_summary',
      ['set_id', 'segment', 'size', 'share', 'mean_risk', 'profit_at_stake'],
      [...t.aggregates, atThresholdSummary(t)].map((a, k) => [setId, k < t.aggregates.length ? k : AT_THRESHOLD, a.size, a.share, a.meanRisk, a.profitAtStake]),
    );
    await copyRows(client, 'segment_combination', ['set_id', 'segments', 'customers'], combinationRows(t).map(([mask, n]) => [setId, mask, n]));
    await copyBinary(client, 'segment_member', MEMBER_COPY, memberRows(setId, t));
  }

  /** One transaction; idempotent: when another process stored the set first, that set is returned. */
  async save(modelVersion: number, tables: SegmentTables): Promise<SegmentSet> {
    await transaction(this.pool, (client) => this.write(client, modelVersion, tables));
    return (await this.find(modelVersion, tables.settings))!;
  }

  async aggregates(set: SegmentSet): Promise<SegmentAggregate[]> {
    const summaries = await rows<Omit<SegmentAggregate, 'code'> & { segment: number }>(
      this.pool,
      `SELECT segment, size, share, mean_risk AS "meanRisk", profit_at_stake AS "profitAtStake"
       FROM segment_summary WHERE set_id = $1 AND segment >= 0 ORDER BY segment`,
      [set.id],
    );
    return aggregatesOf(set, summaries);
  }

  /** Members [offset, offset + limit) of one segment by priority: one range of the primary key. */
  async members(set: SegmentSet, code: SegmentCode, offset: number, limit: number): Promise<SegmentMember[]> {
    const k = (set as StoredSet).codes.indexOf(code);
    return k < 0 ? [] : this.page(set, k, offset, limit);
  }

  async atThreshold(set: SegmentSet, offset: number, limit: number): Promise<SegmentMember[]> {
    return set.atThreshold > 0 ? this.page(set, AT_THRESHOLD, offset, limit) : [];
  }

  /** At most 63 rows of one primary-key prefix. */
  async combinations(set: SegmentSet): Promise<SegmentCombination[]> {
    const stored = await rows<{ segments: number; customers: number }>(
      this.pool,
      'SELECT segments, customers FROM segment_combination WHERE set_id = $1 AND segments > 0',
      [set.id],
    );
    return combinationsOf(set, stored.map((r) => [r.segments, r.customers] as const));
  }

  private async page(set: SegmentSet, k: number, offset: number, limit: number): Promise<SegmentMember[]> {
    if (limit <= 0) return [];
    const page = await rows<MemberRow>(
      this.pool,
      `SELECT id, probability, profit, category, segments FROM segment_member
       WHERE set_id = $1 AND segment = $2 AND rank >= $3 AND rank < $4 ORDER BY rank`,
      [set.id, k, offset, offset + limit],
    );
    return membersOf(set, page);
  }
}
