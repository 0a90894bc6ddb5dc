import type Database from 'better-sqlite3';
import type { SegmentRepository, SegmentSet } from '../../core/ports.ts';
import { SEGMENT_CODES, type SegmentAggregate, type SegmentCode, type SegmentCombination, type SegmentMember, type SegmentSettings, type SegmentTables } from '../../core/segments.ts';
import { AT_THRESHOLD, aggregatesOf, atThresholdSummary, combinationRows, combinationsOf, membersOf, type StoredSet } from '../segmentRows.ts';

interface SetRow {
  id: number;
  model_version: number;
  dataset_version: number;
  high_risk: number;
  medium_risk: number;
  promo_share: number;
  codes: string;
  categories: string;
  cutoffs: string;
  population: number;
  at_threshold: number | null;
}

const toSet = (r: SetRow): StoredSet => ({
  id: r.id,
  modelVersion: r.model_version,
  datasetVersion: r.dataset_version,
  population: r.population,
  settings: { highRisk: r.high_risk, mediumRisk: r.medium_risk, promoShare: r.promo_share },
  cutoffs: JSON.parse(r.cutoffs),
  codes: JSON.parse(r.codes),
  categories: JSON.parse(r.categories),
  atThreshold: r.at_threshold ?? 0,
});

const SET_SELECT = `SELECT s.id, s.model_version, m.dataset_version, s.high_risk, s.medium_risk, s.promo_share, s.codes, s.categories, s.cutoffs, s.population,
    (SELECT size FROM segment_summary t WHERE t.set_id = s.id AND t.segment = ${AT_THRESHOLD}) AS at_threshold
  FROM segment_set s JOIN model m ON m.version = s.model_version`;

/**
 * Segments stored per (model version, settings): `segment_summary` holds the aggregates and
 * `segment_member` every member with its rank (priority order), so a page of a segment is one
 * range of the primary key (set_id, segment, rank). Segments are stored by their index in the
 * set's own code list, so adding a segment later never misreads older sets. The customers exactly
 * at the at-risk threshold are segment AT_THRESHOLD (a summary row with their count, and member
 * rows); `segment_combination` counts customers per mask.
 */
export class SqliteSegmentRepository implements SegmentRepository {
  private readonly selectSet;
  private readonly insertSet;
  private readonly insertSummary;
  private readonly insertMember;
  private readonly insertCombination;
  private readonly selectSummaries;
  private readonly selectCombinations;
  private readonly selectMembers;
  private readonly saveTx;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.selectSet = db.prepare<[number, number, number, number], SetRow>(
      `${SET_SELECT} WHERE s.model_version = ? AND s.high_risk = ? AND s.medium_risk = ? AND s.promo_share = ?`,
    );
    this.insertSet = db.prepare(
      `INSERT INTO segment_set (model_version, high_risk, medium_risk, promo_share, codes, categories, cutoffs, population, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSummary = db.prepare(
      'INSERT INTO segment_summary (set_id, segment, size, share, mean_risk, profit_at_stake) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertMember = db.prepare(
      'INSERT INTO segment_member (set_id, segment, rank, id, probability, profit, category, segments) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertCombination = db.prepare('INSERT INTO segment_combination (set_id, segments, customers) VALUES (?, ?, ?)');
    this.selectSummaries = db
      .prepare<[number], [number, number, number, number, number]>(
        'SELECT segment, size, share, mean_risk, profit_at_stake FROM segment_summary WHERE set_id = ? AND segment >= 0 ORDER BY segment',
      )
      .raw();
    this.selectCombinations = db
      .prepare<[number], [number, number]>('SELECT segments, customers FROM segment_combination WHERE set_id = ? AND segments > 0')
      .raw();
    this.selectMembers = db
      .prepare<[number, number, number, number], [number, number, number, number, number]>(
        `SELECT id, probability, profit, category, segments FROM segment_member
         WHERE set_id = ? AND segment = ? AND rank >= ? AND rank < ? ORDER BY rank`,
      )
      .raw();
    this.saveTx = db.transaction((modelVersion: number, t: SegmentTables): number => {
      const s = t.settings;
      const existing = this.selectSet.get(modelVersion, s.highRisk, s.mediumRisk, s.promoShare);
      if (existing) return existing.id;
      const setId = Number(
        this.insertSet.run(
          modelVersion,
          s.highRisk,
          s.mediumRisk,
          s.promoShare,
          JSON.stringify(SEGMENT_CODES),
          JSON.stringify(t.categories),
          JSON.stringify(t.cutoffs),
          t.population,
          this.now().toISOString(),
        ).lastInsertRowid,
      );
      t.aggregates.forEach((a, k) => this.insertSummary.run(setId, k, a.size, a.share, a.meanRisk, a.profitAtStake));
      const insertMembers = (k: number, idx: Int32Array) => {
        for (let rank = 0; rank < idx.length; rank++) {
          const i = idx[rank];
          this.insertMember.run(setId, k, rank, t.ids[i], t.probability[i], t.profit[i], t.category[i], t.masks[i]);
        }
      };
      t.order.forEach((idx, k) => insertMembers(k, idx));
      const tied = atThresholdSummary(t);
      this.insertSummary.run(setId, AT_THRESHOLD, tied.size, tied.share, tied.meanRisk, tied.profitAtStake);
      insertMembers(AT_THRESHOLD, t.atThreshold);
      for (const [mask, customers] of combinationRows(t)) this.insertCombination.run(setId, mask, customers);
      return setId;
    });
  }

  /** One lookup of the (model_version, thresholds) unique index. */
  async find(modelVersion: number, settings: SegmentSettings): Promise<SegmentSet | null> {
    const row = this.selectSet.get(modelVersion, settings.highRisk, settings.mediumRisk, settings.promoShare);
    return row ? toSet(row) : null;
  }

  /** One transaction (a savepoint inside saveAndActivate's, which calls this). */
  write(modelVersion: number, tables: SegmentTables): void {
    this.saveTx(modelVersion, tables);
  }

  async save(modelVersion: number, tables: SegmentTables): Promise<SegmentSet> {
    this.saveTx.immediate(modelVersion, tables);
    return (await this.find(modelVersion, tables.settings))!;
  }

  async aggregates(set: SegmentSet): Promise<SegmentAggregate[]> {
    return aggregatesOf(
      set,
      this.selectSummaries.all(set.id).map(([segment, size, share, meanRisk, profitAtStake]) => ({ segment, size, share, meanRisk, profitAtStake })),
    );
  }

  /** No join: the rows carry what a list shows, so a page never touches the (large, cold) customer table. */
  async members(set: SegmentSet, code: SegmentCode, offset: number, limit: number): Promise<SegmentMember[]> {
    const k = (set as StoredSet).codes.indexOf(code);
    return k < 0 ? [] : this.page(set as StoredSet, k, offset, limit);
  }

  async atThreshold(set: SegmentSet, offset: number, limit: number): Promise<SegmentMember[]> {
    return set.atThreshold > 0 ? this.page(set as StoredSet, AT_THRESHOLD, offset, limit) : [];
  }

  /** At most 63 rows of one primary-key prefix. */
  async combinations(set: SegmentSet): Promise<SegmentCombination[]> {
    return combinationsOf(set, this.selectCombinations.all(set.id));
  }

  private page(set: StoredSet, k: number, offset: number, limit: number): SegmentMember[] {
    if (limit <= 0) return [];
    const rows = this.selectMembers.all(set.id, k, offset, offset + limit);
    return membersOf(set, rows.map(([id, probability, profit, category, segments]) => ({ id, probability, profit, category, segments })));
  }
}
