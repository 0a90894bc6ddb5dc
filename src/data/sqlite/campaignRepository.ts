import type Database from 'better-sqlite3';
import type { FeatureName } from '../../core/domain.ts';
import type {
  CampaignMember,
  CampaignOffer,
  CampaignPlan,
  CampaignRepository,
  Outreach,
  OutreachStatus,
} from '../../core/ports.ts';
import type { SegmentCode } from '../../core/segments.ts';

interface PlanRow {
  week: string;
  created_at: string;
  model_version: number;
  dataset_version: number;
  capacity: number;
  control_share: number;
  cooldown_days: number;
  seed: number;
  eligible: number;
}

interface MemberRow {
  customer_id: number;
  arm: CampaignMember['arm'];
  rank: number;
  probability: number;
  profit: number;
  expected_loss: number;
  offer: string;
  driver: string | null;
  driver_contribution: number | null;
  segments: string;
}

interface OutreachRow {
  week: string;
  customer_id: number;
  status: OutreachStatus;
  offer: string;
  user_id: number;
  at: string;
}

const PLAN_COLUMNS = 'week, created_at, model_version, dataset_version, capacity, control_share, cooldown_days, seed, eligible';
const MEMBER_COLUMNS = 'customer_id, arm, rank, probability, profit, expected_loss, offer, driver, driver_contribution, segments';

const toPlan = (r: PlanRow): CampaignPlan => ({
  week: r.week,
  createdAt: r.created_at,
  modelVersion: r.model_version,
  datasetVersion: r.dataset_version,
  capacity: r.capacity,
  controlShare: r.control_share,
  cooldownDays: r.cooldown_days,
  seed: r.seed,
  eligible: r.eligible,
});

const toMember = (r: MemberRow): CampaignMember => ({
  customerId: r.customer_id,
  arm: r.arm,
  rank: r.rank,
  probability: r.probability,
  profit: r.profit,
  expectedLoss: r.expected_loss,
  offer: r.offer as CampaignOffer,
  driver: r.driver as FeatureName | null,
  driverContribution: r.driver_contribution,
  segments: r.segments === '' ? [] : (r.segments.split(',') as SegmentCode[]),
});

const toOutreach = (r: OutreachRow): Outreach => ({
  week: r.week,
  customerId: r.customer_id,
  status: r.status,
  offer: r.offer as CampaignOffer,
  userId: r.user_id,
  at: r.at,
});

/** Campaign tables (migration `campaign`). */
export class SqliteCampaignRepository implements CampaignRepository {
  private readonly insertPlan;
  private readonly insertMember;
  private readonly selectPlan;
  private readonly selectPlans;
  private readonly selectMembers;
  private readonly selectMember;
  private readonly selectOutreachOne;
  private readonly upsertOutreach;
  private readonly selectOutreach;
  private readonly selectProgress;
  private readonly selectContacted;
  private readonly selectHeldOut;
  private readonly createTx;
  private readonly recordTx;

  constructor(db: Database.Database) {
    this.insertPlan = db.prepare(`INSERT OR IGNORE INTO campaign_plan (${PLAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertMember = db.prepare(`INSERT INTO campaign_member (week, ${MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.selectPlan = db.prepare<[string], PlanRow>(`SELECT ${PLAN_COLUMNS} FROM campaign_plan WHERE week = ?`);
    this.selectPlans = db.prepare<[], PlanRow>(`SELECT ${PLAN_COLUMNS} FROM campaign_plan ORDER BY week`);
    this.selectMembers = db.prepare<[string], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM campaign_member WHERE week = ? ORDER BY rank, customer_id`);
    this.selectMember = db.prepare<[string, number], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM campaign_member WHERE week = ? AND customer_id = ?`);
    this.selectOutreachOne = db.prepare<[string, number], number>('SELECT 1 FROM campaign_outreach WHERE week = ? AND customer_id = ?').pluck();
    this.upsertOutreach = db.prepare(
      `INSERT INTO campaign_outreach (week, customer_id, status, offer, user_id, at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (week, customer_id) DO UPDATE SET status = excluded.status, offer = excluded.offer,
         user_id = excluded.user_id, at = excluded.at`,
    );
    this.selectOutreach = db.prepare<[string], OutreachRow>(
      'SELECT week, customer_id, status, offer, user_id, at FROM campaign_outreach WHERE week = ? ORDER BY customer_id',
    );
    this.selectProgress = db.prepare<[string], { planned: number; offered: number; no_answer: number; declined: number }>(
      `SELECT COUNT(*) AS planned,
         COALESCE(SUM(o.status = 'offered'), 0) AS offered,
         COALESCE(SUM(o.status = 'no_answer'), 0) AS no_answer,
         COALESCE(SUM(o.status = 'declined'), 0) AS declined
       FROM campaign_member m LEFT JOIN campaign_outreach o ON o.week = m.week AND o.customer_id = m.customer_id
       WHERE m.week = ? AND m.arm = 'treated'`,
    );
    this.selectContacted = db
      .prepare<[string], number>(
        `SELECT DISTINCT customer_id FROM campaign_outreach WHERE at >= ? AND status IN ('offered', 'declined') ORDER BY customer_id`,
      )
      .pluck();
    this.selectHeldOut = db
      .prepare<[string], number>(
        `SELECT DISTINCT m.customer_id FROM campaign_plan p JOIN campaign_member m ON m.week = p.week
         WHERE p.created_at >= ? AND m.arm = 'control' ORDER BY m.customer_id`,
      )
      .pluck();

    this.createTx = db.transaction((plan: CampaignPlan, members: readonly CampaignMember[]): boolean => {
      const p = plan;
      const inserted = this.insertPlan.run(p.week, p.createdAt, p.modelVersion, p.datasetVersion, p.capacity, p.controlShare, p.cooldownDays, p.seed, p.eligible);
      if (inserted.changes === 0) return false;
      for (const m of members) {
        this.insertMember.run(p.week, m.customerId, m.arm, m.rank, m.probability, m.profit, m.expectedLoss, m.offer, m.driver, m.driverContribution, m.segments.join(','));
      }
      return true;
    });
    this.recordTx = db.transaction((o: Outreach): boolean => {
      const existed = this.selectOutreachOne.get(o.week, o.customerId) !== undefined;
      this.upsertOutreach.run(o.week, o.customerId, o.status, o.offer, o.userId, o.at);
      return existed;
    });
  }

  async create(plan: CampaignPlan, members: readonly CampaignMember[]): Promise<boolean> {
    return this.createTx.immediate(plan, members);
  }

  async plan(week: string): Promise<CampaignPlan | null> {
    const r = this.selectPlan.get(week);
    return r ? toPlan(r) : null;
  }

  async plans(): Promise<CampaignPlan[]> {
    return this.selectPlans.all().map(toPlan);
  }

  async members(week: string): Promise<CampaignMember[]> {
    return this.selectMembers.all(week).map(toMember);
  }

  async member(week: string, customerId: number): Promise<CampaignMember | null> {
    const r = this.selectMember.get(week, customerId);
    return r ? toMember(r) : null;
  }

  /** A customer outside the week's plan fails the foreign key (SQLITE_CONSTRAINT_FOREIGNKEY). */
  async recordOutreach(outreach: Outreach): Promise<boolean> {
    return this.recordTx.immediate(outreach);
  }

  async outreach(week: string): Promise<Outreach[]> {
    return this.selectOutreach.all(week).map(toOutreach);
  }

  async progress(week: string): Promise<{ planned: number; offered: number; noAnswer: number; declined: number }> {
    const r = this.selectProgress.get(week)!;
    return { planned: r.planned, offered: r.offered, noAnswer: r.no_answer, declined: r.declined };
  }

  async contactedSince(since: string): Promise<number[]> {
    return this.selectContacted.all(since);
  }

  async heldOutSince(since: string): Promise<number[]> {
    return this.selectHeldOut.all(since);
  }
}
