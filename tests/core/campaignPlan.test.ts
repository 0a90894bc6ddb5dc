import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveModel } from '../../src/core/activeModel.ts';
import {
  CampaignError,
  chooseOffer,
  planStanding,
  planWeek,
  poolSize,
  storedPlan,
  rankEligible,
  recordOutreach,
  weekPlan,
  weekPlanJson,
  weekProgress,
  type WeekPlan,
} from '../../src/core/campaign/index.ts';
import { toFrame } from '../../src/core/features.ts';
import { inProcessWork } from '../../src/core/work.ts';
import type { Store } from '../../src/core/ports.ts';
import { segmentCutoffs } from '../../src/core/segments.ts';
import type { SqliteStore } from '../../src/data/index.ts';
import { SETTINGS, campaignDeps, trainedSet, type TrainedSet } from './campaignFixture.ts';
import { countingFullReads, overriding } from '../support/overriding.ts';

let set: TrainedSet;
beforeAll(async () => {
  set = await trainedSet(1500, 21);
});
afterAll(() => set.dispose());

// Monday 2026-11-23 is the first day of 2026-W48 (Moscow).
const MONDAY = new Date('2026-11-23T06:00:00Z');
const DAY = 86_400_000;
const later = (days: number) => new Date(MONDAY.getTime() + days * DAY);

/** High-band customers by expected loss, computed here from the stored scores, not by the planner. */
async function rankedHighBand(store: Store): Promise<number[]> {
  const active = (await store.models.activeVersion())!;
  const meta = (await store.models.meta(active))!;
  const profit = new Map((await store.datasets.customers(meta.datasetVersion)).map((c) => [c.id, c.profit]));
  return (await store.models.scores(active))
    .filter((s) => s.probability >= SETTINGS.risk.high)
    .map((s) => ({ id: s.id, loss: s.probability * profit.get(s.id)! }))
    .sort((a, b) => b.loss - a.loss || a.id - b.id)
    .map((s) => s.id);
}

const controlIds = async (store: Store, week: string) => (await store.campaigns.members(week)).filter((m) => m.arm === 'control').map((m) => m.customerId);
const ids = (plan: WeekPlan) => plan.entries.map((e) => e.id);

describe('planWeek', () => {
  it('lists the top of the high band by expected loss, up to capacity, with a random control drawn from the same pool', async () => {
    const store = set.open();
    const plan = await planWeek(campaignDeps(store, { now: MONDAY }));
    const ranked = (await rankedHighBand(store));
    const pool = ranked.slice(0, poolSize(30, 0.1));
    expect(ranked.length).toBeGreaterThan(100);
    expect(plan).toMatchObject({ week: '2026-W48', capacity: 30, controlShare: 0.1, eligible: ranked.length, heldOut: 4 });
    expect(plan.entries).toHaveLength(30);
    expect(new Set(ids(plan)).size).toBe(30);
    const control = (await controlIds(store, plan.week));
    expect(control).toHaveLength(4);
    expect(control.some((id) => ids(plan).includes(id))).toBe(false);
    expect([...ids(plan), ...control].sort()).toEqual(pool.slice().sort());
    // The list keeps the ranking: expected loss never increases down the list.
    expect(ids(plan)).toEqual(pool.filter((id) => !control.includes(id)));
    for (const e of plan.entries) {
      expect(e.band).toBe('high');
      expect(e.expectedLoss).toBeCloseTo(e.probability * e.profit, 12);
    }
    // The held-out customers are not simply the bottom of the pool.
    expect(control.every((id) => pool.indexOf(id) >= 30)).toBe(false);
  });

  it('gives each customer the offer of the rule, from the model’s own explanation', async () => {
    const store = set.open();
    const plan = await planWeek(campaignDeps(store, { now: MONDAY }));
    const loaded = (await new ActiveModel(store).get());
    const customers = await store.datasets.customers(loaded.meta.datasetVersion);
    const byId = new Map(customers.map((c) => [c.id, c]));
    const cutoffs = segmentCutoffs(customers);
    const seg = { highRisk: SETTINGS.risk.high, mediumRisk: SETTINGS.risk.medium, promoShare: SETTINGS.promoShare };
    for (const m of await store.campaigns.members(plan.week)) {
      const c = byId.get(m.customerId)!;
      const drivers = loaded.model.explain(toFrame([c]), 0);
      expect(chooseOffer({ customer: c, probability: m.probability, drivers }, cutoffs, seg)).toEqual({
        offer: m.offer,
        driver: m.driver,
        contribution: m.driverContribution,
      });
      if (m.driver) expect(m.driverContribution!).toBeGreaterThan(0);
    }
    expect(new Set(plan.entries.map((e) => e.offer)).size).toBeGreaterThan(1);
  });

  it('returns the stored plan for the rest of the week, whatever changed; a new week draws anew', async () => {
    const store = set.open();
    const first = await planWeek(campaignDeps(store, { now: MONDAY }));
    // Sunday 23:30 Moscow is still W48; capacity and seed changes do not redraw it.
    const sunday = new Date('2026-11-29T20:30:00Z');
    const again = await planWeek(campaignDeps(store, { now: sunday }, { capacity: 5, seed: 7 }));
    expect(again).toEqual(first);
    // Served from storage: no model needed (it may be mid-retrain or unreadable).
    const noModel = { ...campaignDeps(store, { now: sunday }), model: { get: () => { throw new Error('no model'); } } };
    expect(await planWeek(noModel)).toEqual(first);
    const next = await planWeek(campaignDeps(store, { now: new Date('2026-11-29T21:30:00Z') }));
    expect(next.week).toBe('2026-W49');
    expect(next.createdAt).not.toBe(first.createdAt);
  });

  it('draws the same control for the same week and seed in another store, another one for another seed', async () => {
    const a = set.open();
    const b = set.open();
    const c = set.open();
    await planWeek(campaignDeps(a, { now: MONDAY }));
    await planWeek(campaignDeps(b, { now: later(3) }));
    await planWeek(campaignDeps(c, { now: MONDAY }, { seed: 43 }));
    expect((await controlIds(a, '2026-W48'))).toEqual((await controlIds(b, '2026-W48')));
    expect((await controlIds(c, '2026-W48'))).not.toEqual((await controlIds(a, '2026-W48')));
  });

  it('keeps a plan another process stored first', async () => {
    const store = set.open();
    const meta = (await store.models.meta((await store.models.activeVersion())!))!;
    const theirs = { week: '2026-W48', createdAt: MONDAY.toISOString(), modelVersion: meta.version, datasetVersion: meta.datasetVersion, capacity: 1, controlShare: 0, cooldownDays: 0, seed: 1, eligible: 1 };
    const id = (await rankedHighBand(store))[5];
    await store.campaigns.create(theirs, [{ customerId: id, arm: 'treated', rank: 1, probability: 0.9, profit: 1, expectedLoss: 0.9, offer: 'at-risk', driver: null, driverContribution: null, segments: [] }]);
    const plan = await planWeek(campaignDeps(store, { now: later(1) }));
    expect(ids(plan)).toEqual([id]);
    expect(plan.capacity).toBe(1);
  });

  it('leaves out customers reached or held out within the cooldown, but not those who did not answer', async () => {
    const store: SqliteStore = set.open();
    const clock = { now: MONDAY };
    const deps = campaignDeps(store, clock);
    const w48 = await planWeek(deps);
    const [offered, declined, noAnswer] = ids(w48);
    await recordOutreach(deps, { customerId: offered, status: 'offered', userId: 1, chatId: 1 });
    await recordOutreach(deps, { customerId: declined, status: 'declined', userId: 1, chatId: 1 });
    await recordOutreach(deps, { customerId: noAnswer, status: 'no_answer', userId: 1, chatId: 1 });
    const held = (await controlIds(store, w48.week));

    clock.now = later(7);
    const w49 = await planWeek(deps);
    const w49All = [...ids(w49), ...(await controlIds(store, w49.week))];
    expect(w49All).not.toContain(offered);
    expect(w49All).not.toContain(declined);
    for (const id of held) expect(w49All).not.toContain(id);
    expect(ids(w49)).toContain(noAnswer);
    expect(w49.eligible).toBe(w48.eligible - 2 - held.length);

    // Exactly 28 days after the calls they are still within the cooldown; a day later they are back.
    clock.now = later(28);
    expect((await planWeek(deps)).eligible).toBe(w48.eligible - 2 - held.length - (await controlIds(store, w49.week)).length);
    // Drop that W52 plan (test only) so the same week can be drawn again a day later.
    store.db.exec("DELETE FROM campaign_member WHERE week = '2026-W52'; DELETE FROM campaign_plan WHERE week = '2026-W52'");
    clock.now = later(29);
    const w52 = await planWeek(deps);
    expect(w52.week).toBe('2026-W52');
    expect(w52.eligible).toBe(w48.eligible - (await controlIds(store, w49.week)).length);
  });

  it('attaches contacts and the CRM link when there are any', async () => {
    const store = set.open();
    const deps = campaignDeps(store, { now: MONDAY }, { crmUrlTemplate: 'https://crm.example.ru/c/{id}?from=bot' });
    const top = (await rankedHighBand(store)).slice(0, 40);
    await store.contacts.upsert(top.map((id) => ({ id, name: `Клиент ${id}`, phone: '+79120000000', email: null, extra: {} })), 'contacts.csv');
    const plan = await planWeek(deps);
    expect(plan.entries[0].contact).toMatchObject({ id: plan.entries[0].id, name: `Клиент ${plan.entries[0].id}` });
    expect(plan.entries[0].crmUrl).toBe(`https://crm.example.ru/c/${plan.entries[0].id}?from=bot`);
    expect(weekPlanJson(plan).customers[0]).toMatchObject({
      id: plan.entries[0].id,
      expected_loss: plan.entries[0].expectedLoss,
      offer: plan.entries[0].offer,
      status: null,
      contacts: { name: `Клиент ${plan.entries[0].id}`, phone: '+79120000000', email: null },
    });
    expect(weekPlanJson(plan)).toMatchObject({ week: '2026-W48', held_out: 4, progress: { planned: 30, done: 0 } });
    expect((await planWeek(campaignDeps(store, { now: MONDAY }))).entries[0].crmUrl).toBeNull();
  });
});

/**
 * A store whose full reads are counted, and the segment rows it hands out: the planner must take
 * the high band from the stored segment order, a bounded page, never every customer and score.
 */
function counting(store: Store) {
  const calls = { customers: 0, scores: 0, memberRows: 0 };
  const page = <R>(rows: R[]) => ((calls.memberRows += rows.length), rows);
  return countingFullReads(store, calls, {
    segments: {
      members: async (...a) => page(await store.segments.members(...a)),
      atThreshold: async (...a) => page(await store.segments.atThreshold(...a)),
    },
  });
}

/** rankEligible over every scored customer of the served data set: the rule the stored order must reproduce. */
async function referencePool(store: Store, excluded: ReadonlySet<number>) {
  const active = (await store.models.activeVersion())!;
  const meta = (await store.models.meta(active))!;
  const scores = new Map((await store.models.scores(active)).map((s) => [s.id, s.probability]));
  const scored = (await store.datasets.customers(meta.datasetVersion)).map((customer) => ({ customer, probability: scores.get(customer.id) ?? NaN }));
  const ranked = rankEligible(scored, SETTINGS.risk.high, excluded);
  return { eligible: ranked.length, pool: ranked.slice(0, poolSize(SETTINGS.capacity, SETTINGS.controlShare)).map((c) => c.customer.id) };
}

const poolOf = async (store: Store, week: string) => (await store.campaigns.members(week)).sort((a, b) => a.rank - b.rank).map((m) => m.customerId);

describe('planStanding', () => {
  it('tells each customer’s place as the whole list does, reading that customer alone', async () => {
    const store = set.open();
    const deps = campaignDeps(store, { now: MONDAY });
    expect(await storedPlan(deps, '2026-W48')).toBeNull();
    const plan = await planWeek(deps);
    const stored = (await storedPlan(deps, plan.week))!;
    let reads = 0;
    const counted = { ...deps, store: overriding(store, { datasets: { customer: (v, id) => (reads++, store.datasets.customer(v, id)) } }) };
    for (const [i, entry] of plan.entries.entries()) {
      reads = 0;
      expect(await planStanding(counted, stored, entry.id)).toEqual({ week: plan.week, arm: 'treated', entry, place: i + 1, listed: plan.entries.length });
      expect(reads).toBeLessThanOrEqual(1);
    }
    for (const c of plan.control) expect(await planStanding(deps, stored, c.id)).toEqual({ week: plan.week, arm: 'control' });
    const outsider = (await store.datasets.customers(plan.datasetVersion)).find((c) => !plan.entries.some((e) => e.id === c.id) && !plan.control.some((x) => x.id === c.id))!;
    expect(await planStanding(deps, stored, outsider.id)).toEqual({ week: plan.week, arm: null });
    // A recorded call shows on the next standing: only the stored plan is read once.
    const first = plan.entries[0];
    await recordOutreach(deps, { customerId: first.id, status: 'offered', userId: 1, chatId: 1 });
    expect(await planStanding(deps, stored, first.id)).toMatchObject({ arm: 'treated', entry: { status: 'offered' } });
  });
});

describe('planWeek at scale', () => {
  it('draws the pool from the stored segment order: no customer or score read in full, member rows bounded by the pool and the cooldown', async () => {
    const raw: SqliteStore = set.open();
    const clock = { now: MONDAY };
    const w48 = await planWeek(campaignDeps(raw, clock));
    const [a, b] = ids(w48);
    await recordOutreach(campaignDeps(raw, clock), { customerId: a, status: 'offered', userId: 1, chatId: 1 });
    await recordOutreach(campaignDeps(raw, clock), { customerId: b, status: 'declined', userId: 1, chatId: 1 });
    const excluded = new Set([a, b, ...(await controlIds(raw, w48.week))]);
    const expected = await referencePool(raw, excluded);

    clock.now = later(7);
    const c = counting(raw);
    const w49 = await planWeek({ ...campaignDeps(raw, clock), store: c.store, model: new ActiveModel(c.store) });
    expect(c.calls.customers).toBe(0);
    expect(c.calls.scores).toBe(0);
    expect(c.calls.memberRows).toBeLessThanOrEqual(poolSize(SETTINGS.capacity, SETTINGS.controlShare) + excluded.size);
    expect(w49.eligible).toBe(expected.eligible);
    expect(await poolOf(raw, w49.week)).toEqual(expected.pool);
  });

  it('explains the pool through the background work when there is one: one call for every feature of the whole pool, the same plan', async () => {
    const inPlace = set.open();
    const viaWork = set.open();
    await planWeek(campaignDeps(inPlace, { now: MONDAY }));
    const served = new ActiveModel(viaWork);
    // The event loop's model must not explain anybody.
    const model = {
      get: async () => {
        const loaded = await served.get();
        return { ...loaded, model: Object.create(loaded.model, { explain: { value: () => expect.fail('explained on the event loop') } }) };
      },
    };
    const local = inProcessWork(viaWork);
    const calls: { ids: readonly number[]; every?: boolean }[] = [];
    const work = { explain: async (v: number, ids: readonly number[], opts?: { every?: boolean }) => (calls.push({ ids, every: opts?.every }), local.explain(v, ids, opts)) };
    const plan = await planWeek({ ...campaignDeps(viaWork, { now: MONDAY }), model, work });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({ ids: await poolOf(viaWork, plan.week), every: true });
    expect(await viaWork.campaigns.members(plan.week)).toEqual(await inPlace.campaigns.members(plan.week));
  });

  it('counts a customer scored exactly at the threshold as high band (as /risk does), though not in the at-risk segment', async () => {
    const raw: SqliteStore = set.open();
    const active = (await raw.models.activeVersion())!;
    const meta = (await raw.models.meta(active))!;
    const scores = new Map((await raw.models.scores(active)).map((x) => [x.id, x.probability]));
    // The most profitable customer below the threshold moves onto it, with the largest expected loss of all.
    const below = (await raw.datasets.customers(meta.datasetVersion)).filter((x) => scores.get(x.id)! < SETTINGS.risk.high);
    const tied = below.reduce((best, x) => (x.profit > best.profit ? x : best));
    raw.db.exec('DROP TRIGGER score_immutable');
    raw.db.prepare('UPDATE score SET probability = ? WHERE model_version = ? AND id = ?').run(SETTINGS.risk.high, active, tied.id);
    // Segments as training would have stored them for these scores (built anew on first use).
    raw.db.exec('DELETE FROM segment_member; DELETE FROM segment_summary; DELETE FROM segment_combination; DELETE FROM segment_set;');
    const expected = await referencePool(raw, new Set());
    expect(expected.pool).toContain(tied.id);

    const plan = await planWeek(campaignDeps(raw, { now: MONDAY }));
    expect(plan.eligible).toBe(expected.eligible);
    expect(await poolOf(raw, plan.week)).toEqual(expected.pool);
    const segSet = (await raw.segments.find(active, { highRisk: SETTINGS.risk.high, mediumRisk: SETTINGS.risk.medium, promoShare: SETTINGS.promoShare }))!;
    expect(segSet.atThreshold).toBe(1);
    expect((await raw.segments.atThreshold(segSet, 0, 10)).map((m) => m.customer.id)).toEqual([tied.id]);
    expect((await raw.segments.members(segSet, 'at-risk', 0, 10_000)).some((m) => m.customer.id === tied.id)).toBe(false);
  });
});

describe('recordOutreach', () => {
  it('records, replaces on a second press, audits every press and counts progress', async () => {
    const store = set.open();
    const clock = { now: MONDAY };
    const deps = campaignDeps(store, clock);
    const plan = await planWeek(deps);
    const [a, b] = ids(plan);
    const first = await recordOutreach(deps, { customerId: a, status: 'no_answer', userId: 7, chatId: 70 });
    expect(first).toMatchObject({ replaced: false, outreach: { week: '2026-W48', customerId: a, status: 'no_answer', offer: plan.entries[0].offer, userId: 7 } });
    clock.now = later(1);
    const second = await recordOutreach(deps, { customerId: a, status: 'offered', userId: 8, chatId: 80 });
    expect(second.replaced).toBe(true);
    await recordOutreach(deps, { customerId: b, status: 'declined', userId: 7, chatId: 70 });
    expect(await weekProgress(store, '2026-W48')).toEqual({ week: '2026-W48', planned: 30, done: 2, offered: 1, noAnswer: 0, declined: 1 });
    expect(second.progress).toMatchObject({ done: 1, offered: 1 });
    const entry = (await weekPlan(deps, '2026-W48'))!.entries[0];
    expect(entry).toMatchObject({ status: 'offered', contactedAt: later(1).toISOString() });
    expect((await store.audit.recent(10)).map((e) => e.action)).toEqual([
      `campaign 2026-W48 ${b} declined`,
      `campaign 2026-W48 ${a} offered`,
      `campaign 2026-W48 ${a} no_answer`,
    ]);
  });

  it('accepts a press for an earlier week’s plan when the button says which week', async () => {
    const store = set.open();
    const clock = { now: MONDAY };
    const deps = campaignDeps(store, clock);
    const id = ids(await planWeek(deps))[3];
    clock.now = later(8);
    expect((await recordOutreach(deps, { customerId: id, status: 'offered', userId: 1, chatId: 1, week: '2026-W48' })).outreach.week).toBe('2026-W48');
    await expect(recordOutreach(deps, { customerId: id, status: 'offered', userId: 1, chatId: 1 })).rejects.toThrow(CampaignError);
  });

  it('refuses held-out customers, customers not on the list and weeks without a plan', async () => {
    const store = set.open();
    const deps = campaignDeps(store, { now: MONDAY });
    const plan = await planWeek(deps);
    const reason = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        return e instanceof CampaignError ? e.reason : String(e);
      }
      return 'accepted';
    };
    const heldOut = (await controlIds(store, plan.week))[0];
    expect(await reason(() => recordOutreach(deps, { customerId: heldOut, status: 'offered', userId: 1, chatId: 1 }))).toBe('held_out');
    const outsider = (await rankedHighBand(store)).at(-1)!;
    expect(await reason(() => recordOutreach(deps, { customerId: outsider, status: 'offered', userId: 1, chatId: 1 }))).toBe('not_in_plan');
    expect(await reason(() => recordOutreach(deps, { customerId: ids(plan)[0], status: 'offered', userId: 1, chatId: 1, week: '2026-W40' }))).toBe('no_plan');
    expect(await store.campaigns.outreach(plan.week)).toEqual([]);
    expect(await store.audit.recent(10)).toEqual([]);
  });
});
