import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  campaignResults,
  campaignResultsJson,
  compareArms,
  planWeek,
  recordOutreach,
  type Outcome,
  type WeekPlan,
} from '../../src/core/campaign/index.ts';
import { readDatasetDir, synthesize, type SqliteStore, type SynthSummary } from '../../src/data/index.ts';
import { campaignDeps, trainedSet, type TrainedSet } from './campaignFixture.ts';

const outcomes = (n: number, declined: number, revenueChange = 0): Outcome[] =>
  Array.from({ length: n }, (_, i) => ({ declined: i < declined, revenueChange }));

describe('compareArms', () => {
  it('reports uplift = control − treated decline with Newcombe’s interval and the revenue difference', async () => {
    const row = compareArms('cart', outcomes(80, 48, 100), outcomes(70, 56, -50));
    expect(row).toMatchObject({ offer: 'cart', treated: 80, control: 70, treatedDecline: 0.6, controlDecline: 0.8, revenueDiff: 150, conclusive: true });
    expect(row.uplift).toBeCloseTo(0.2, 12);
    expect(row.ciLow).toBeCloseTo(0.0524, 4);
    expect(row.ciHigh).toBeCloseTo(0.3339, 4);
  });

  it('is inconclusive while either arm has fewer than 30, and empty arms give no numbers', async () => {
    expect(compareArms('all', outcomes(30, 3), outcomes(30, 9)).conclusive).toBe(true);
    expect(compareArms('all', outcomes(29, 3), outcomes(300, 9)).conclusive).toBe(false);
    expect(compareArms('all', outcomes(300, 3), outcomes(29, 9)).conclusive).toBe(false);
    expect(compareArms('promo', [], outcomes(5, 1))).toMatchObject({ treated: 0, treatedDecline: null, uplift: null, ciLow: null, ciHigh: null, revenueDiff: null, conclusive: false });
  });
});

describe('campaign results end to end (synthetic next period with a known effect)', () => {
  let set: TrainedSet;
  let store: SqliteStore;
  let plan: WeekPlan;
  const summaries: Record<string, SynthSummary> = {};
  const versions: Record<string, number> = {};
  const clock = { now: new Date('2026-11-23T06:00:00Z') };

  beforeAll(async () => {
    set = await trainedSet(4000, 11);
    store = set.open();
    // Everyone in the high band, half held out: about 550 per arm.
    const deps = campaignDeps(store, clock, { capacity: 100_000, controlShare: 0.5 });
    plan = await planWeek(deps);
    const members = await store.campaigns.members(plan.week);
    const treated = members.filter((m) => m.arm === 'treated').map((m) => m.customerId);
    const control = members.filter((m) => m.arm === 'control').map((m) => m.customerId);
    // Half the list was reached with the offer.
    for (const [i, customerId] of treated.entries()) {
      if (i % 2 === 0) await recordOutreach(deps, { customerId, status: 'offered', userId: 1, chatId: 1 });
      else if (i % 4 === 1) await recordOutreach(deps, { customerId, status: 'no_answer', userId: 1, chatId: 1 });
    }
    for (const effect of [0.3, 0]) {
      const outDir = path.join(set.root, `period-2-effect-${effect}`);
      summaries[effect] = await synthesize({ seed: 12, outDir, nextPeriod: { fromDir: set.dataDir, effect, plan: { treated, control } } });
      versions[effect] = (await store.datasets.create(await readDatasetDir(outDir), outDir)).version;
    }
  });
  afterAll(() => set?.dispose());

  it('waits for a newer data set before measuring a week', async () => {
    const before = set.open();
    await planWeek(campaignDeps(before, clock));
    expect(await campaignResults(before)).toEqual({ campaigns: [], pending: ['2026-W48'] });
  });

  it('finds the known effect inside the interval, and the interval clear of zero', async () => {
    const expected = summaries[0.3].expected!;
    expect(expected.uplift).toBeGreaterThan(0.15);
    const [week] = (await campaignResults(store, { outcomeVersion: versions[0.3] })).campaigns;
    const all = week.overall;
    expect(all.treated + all.control + week.unmeasured).toBe(plan.entries.length + plan.heldOut);
    expect(all.treated).toBeGreaterThan(500);
    expect(all.control).toBeGreaterThan(500);
    expect(all.conclusive).toBe(true);
    expect(all.ciLow!).toBeLessThanOrEqual(expected.uplift);
    expect(all.ciHigh!).toBeGreaterThanOrEqual(expected.uplift);
    expect(all.ciLow!).toBeGreaterThan(0);
    // Fewer declines among the treated: their revenue held up better.
    expect(all.revenueDiff!).toBeGreaterThan(0);
  });

  it('finds nothing when there is no effect: the interval contains zero', async () => {
    const [week] = (await campaignResults(store, { outcomeVersion: versions[0] })).campaigns;
    expect(Math.abs(summaries[0].expected!.uplift)).toBeLessThan(0.02);
    expect(week.overall.ciLow!).toBeLessThan(0);
    expect(week.overall.ciHigh!).toBeGreaterThan(0);
    expect(week.outcomeVersion).toBe(versions[0]);
  });

  it('measures on the first data set after the plan by default', async () => {
    const { campaigns, pending } = await campaignResults(store);
    expect(pending).toEqual([]);
    expect(campaigns.map((c) => [c.week, c.datasetVersion, c.outcomeVersion])).toEqual([['2026-W48', plan.datasetVersion, versions[0.3]]]);
  });

  it('splits by offer (control members carry the offer they would have had) and reports reached-only apart', async () => {
    const [week] = (await campaignResults(store, { outcomeVersion: versions[0.3] })).campaigns;
    const sum = (k: 'treated' | 'control') => week.offers.reduce((s, r) => s + r[k], 0);
    expect(sum('treated')).toBe(week.overall.treated);
    expect(sum('control')).toBe(week.overall.control);
    expect(week.offers.length).toBeGreaterThan(1);
    for (const r of week.offers) expect(r.control, r.offer).toBeGreaterThan(0);
    const reached = week.reached.overall;
    expect(reached.control).toBe(week.overall.control);
    expect(reached.treated).toBeLessThanOrEqual(Math.ceil(week.overall.treated / 2) + 1);
    expect(reached.treated).toBeGreaterThan(week.overall.treated / 2 - 30);
  });

  it('has the agreed JSON shape', async () => {
    const json = campaignResultsJson(await campaignResults(store));
    expect(Object.keys(json.campaigns[0])).toEqual(['week', 'dataset_version', 'outcome_version', 'overall', 'offers', 'reached', 'unmeasured']);
    expect(Object.keys(json.campaigns[0].overall)).toEqual([
      'offer',
      'treated',
      'control',
      'treated_decline',
      'control_decline',
      'uplift',
      'ci_low',
      'ci_high',
      'revenue_diff',
      'conclusive',
    ]);
    expect(json.campaigns[0].offers[0].offer).not.toBe('all');
  });
});
