import type pg from 'pg';
import type { CampaignMember, CampaignPlan, CampaignRepository, Outreach } from '../../core/ports.ts';
import type { SegmentCode } from '../../core/segments.ts';
import { copyRows } from './copy.ts';
import { changes, row, rows, transaction } from './sql.ts';

const PLAN_COLUMNS = `week, created_at AS "createdAt", model_version AS "modelVersion", dataset_version AS "datasetVersion", capacity,
  control_share AS "controlShare", cooldown_days AS "cooldownDays", seed, eligible`;
const MEMBER_COLUMNS = `customer_id AS "customerId", arm, rank, probability, profit, expected_loss AS "expectedLoss", offer, driver,
  driver_contribution AS "driverContribution", segments`;
const OUTREACH_COLUMNS = 'week, customer_id AS "customerId", status, offer, user_id AS "userId", at';

type MemberRow = Omit<CampaignMember, 'segments'> & { segments: string };

const toMember = ({ segments, ...m }: MemberRow): CampaignMember => ({ ...m, segments: segments === '' ? [] : (segments.split(',') as SegmentCode[]) });

/** Campaign tables (migration `campaign`). */
export class PgCampaignRepository implements CampaignRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * The plan row is inserted first with ON CONFLICT DO NOTHING: a concurrent creator of the same
   * week waits for the first to commit and then writes nothing, so a week has one plan, once.
   */
  create(plan: CampaignPlan, members: readonly CampaignMember[]): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const p = plan;
      const inserted = await changes(
        client,
        `INSERT INTO campaign_plan (week, created_at, model_version, dataset_version, capacity, control_share, cooldown_days, seed, eligible)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (week) DO NOTHING`,
        [p.week, p.createdAt, p.modelVersion, p.datasetVersion, p.capacity, p.controlShare, p.cooldownDays, p.seed, p.eligible],
      );
      if (inserted === 0) return false;
      await copyRows(
        client,
        'campaign_member',
        ['week', 'customer_id', 'arm', 'rank', 'probability', 'profit', 'expected_loss', 'offer', 'driver', 'driver_contribution', 'segments'],
        members.map((m) => [p.week, m.customerId, m.arm, m.rank, m.probability, m.profit, m.expectedLoss, m.offer, m.driver, m.driverContribution, m.segments.join(',')]),
      );
      return true;
    });
  }

  plan(week: string): Promise<CampaignPlan | null> {
    return row<CampaignPlan>(this.pool, `SELECT ${PLAN_COLUMNS} FROM campaign_plan WHERE week = $1`, [week]);
  }

  plans(): Promise<CampaignPlan[]> {
    return rows<CampaignPlan>(this.pool, `SELECT ${PLAN_COLUMNS} FROM campaign_plan ORDER BY week`);
  }

  async members(week: string): Promise<CampaignMember[]> {
    return (await rows<MemberRow>(this.pool, `SELECT ${MEMBER_COLUMNS} FROM campaign_member WHERE week = $1 ORDER BY rank, customer_id`, [week])).map(toMember);
  }

  async member(week: string, customerId: number): Promise<CampaignMember | null> {
    const r = await row<MemberRow>(this.pool, `SELECT ${MEMBER_COLUMNS} FROM campaign_member WHERE week = $1 AND customer_id = $2`, [week, customerId]);
    return r ? toMember(r) : null;
  }

  /**
   * One upsert; `xmax` is non-zero exactly when ON CONFLICT updated an existing row, so «replaced»
   * is decided atomically. A customer outside the week's plan fails the foreign key.
   */
  async recordOutreach(o: Outreach): Promise<boolean> {
    const r = await row<{ replaced: boolean }>(
      this.pool,
      `INSERT INTO campaign_outreach (week, customer_id, status, offer, user_id, at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (week, customer_id) DO UPDATE SET status = excluded.status, offer = excluded.offer,
         user_id = excluded.user_id, at = excluded.at
       RETURNING xmax::text <> '0' AS replaced`,
      [o.week, o.customerId, o.status, o.offer, o.userId, o.at],
    );
    return r!.replaced;
  }

  outreach(week: string): Promise<Outreach[]> {
    return rows<Outreach>(this.pool, `SELECT ${OUTREACH_COLUMNS} FROM campaign_outreach WHERE week = $1 ORDER BY customer_id`, [week]);
  }

  async progress(week: string): Promise<{ planned: number; offered: number; noAnswer: number; declined: number }> {
    return (await row<{ planned: number; offered: number; noAnswer: number; declined: number }>(
      this.pool,
      `SELECT COUNT(*)::int AS planned,
         COUNT(*) FILTER (WHERE o.status = 'offered')::int AS offered,
         COUNT(*) FILTER (WHERE o.status = 'no_answer')::int AS "noAnswer",
         COUNT(*) FILTER (WHERE o.status = 'declined')::int AS declined
       FROM campaign_member m LEFT JOIN campaign_outreach o ON o.week = m.week AND o.customer_id = m.customer_id
       WHERE m.week = $1 AND m.arm = 'treated'`,
      [week],
    ))!;
  }

  async contactedSince(since: string): Promise<number[]> {
    const found = await rows<{ id: number }>(
      this.pool,
      `SELECT DISTINCT customer_id AS id FROM campaign_outreach WHERE at >= $1 AND status IN ('offered', 'declined') ORDER BY id`,
      [since],
    );
    return found.map((r) => r.id);
  }

  async heldOutSince(since: string): Promise<number[]> {
    const found = await rows<{ id: number }>(
      this.pool,
      `SELECT DISTINCT m.customer_id AS id FROM campaign_plan p JOIN campaign_member m ON m.week = p.week
       WHERE p.created_at >= $1 AND m.arm = 'control' ORDER BY id`,
      [since],
    );
    return found.map((r) => r.id);
  }
}
