import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignMember, CampaignPlan } from '../../src/core/ports.ts';
import { MIGRATIONS, openStore, schemaVersion, type SqliteStore } from '../../src/data/index.ts';
import { NOTHING_DERIVED, cleanupTmp, customer, tmpDir } from './helpers.ts';

afterAll(cleanupTmp);

let store: SqliteStore;
let at: Date;

beforeEach(async () => {
  at = new Date('2026-11-23T09:00:00Z');
  store = openStore(':memory:', { now: () => at });
  const ds = await store.datasets.create({ customers: [1, 2, 3, 4].map((id) => customer(id)), dropped: [], rowsIn: {}, customersIn: 4 }, 'test');
  await store.models.saveAndActivate(
    { datasetVersion: ds.version, family: 'logistic', params: {}, cvAuc: 0.9, cvAucStd: 0, metrics: {}, artifact: {} },
    [1, 2, 3, 4].map((id) => ({ id, probability: 0.8 })),
    NOTHING_DERIVED,
  );
});
afterEach(() => store.close());

const plan = (week: string, createdAt: string): CampaignPlan => ({
  week,
  createdAt,
  modelVersion: 1,
  datasetVersion: 1,
  capacity: 2,
  controlShare: 0.25,
  cooldownDays: 28,
  seed: 123,
  eligible: 4,
});

const member = (customerId: number, arm: CampaignMember['arm'], rank: number): CampaignMember => ({
  customerId,
  arm,
  rank,
  probability: 0.8,
  profit: 4,
  expectedLoss: 3.2,
  offer: rank === 1 ? 'cart' : 'at-risk',
  driver: rank === 1 ? 'unpaidItems' : null,
  driverContribution: rank === 1 ? 0.12 : null,
  segments: rank === 1 ? ['cart', 'at-risk'] : [],
});

const W48 = [member(1, 'treated', 1), member(2, 'control', 2), member(3, 'treated', 3)];

describe('SQLite campaign repository', () => {
  it('is migration 4 of the schema, and a fresh store is migrated to the latest', async () => {
    expect(MIGRATIONS[3]).toMatchObject({ version: 4, name: expect.stringMatching(/^campaign/) });
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
  });

  it('stores a plan with its members once; a second create for the week writes nothing', async () => {
    expect(await store.campaigns.create(plan('2026-W48', at.toISOString()), W48)).toBe(true);
    expect(await store.campaigns.create({ ...plan('2026-W48', at.toISOString()), seed: 999 }, [member(4, 'treated', 1)])).toBe(false);
    expect(await store.campaigns.plan('2026-W48')).toEqual(plan('2026-W48', at.toISOString()));
    expect(await store.campaigns.members('2026-W48')).toEqual(W48);
    expect(await store.campaigns.plan('2026-W47')).toBeNull();
    expect(await store.campaigns.members('2026-W47')).toEqual([]);
  });

  it('rolls back the whole plan when a member cannot be written', async () => {
    await expect(store.campaigns.create(plan('2026-W48', at.toISOString()), [member(1, 'treated', 1), member(1, 'control', 2)])).rejects.toThrow();
    expect(await store.campaigns.plan('2026-W48')).toBeNull();
  });

  it('keeps plans immutable', async () => {
    await store.campaigns.create(plan('2026-W48', at.toISOString()), W48);
    expect(() => store.db.prepare("UPDATE campaign_member SET arm = 'treated' WHERE customer_id = 2").run()).toThrow(/immutable/);
    expect(() => store.db.prepare('UPDATE campaign_plan SET seed = 1').run()).toThrow(/immutable/);
  });

  it('replaces the outcome of a second press and says so; refuses customers outside the plan', async () => {
    await store.campaigns.create(plan('2026-W48', at.toISOString()), W48);
    const first = { week: '2026-W48', customerId: 1, status: 'no_answer' as const, offer: 'cart' as const, userId: 7, at: '2026-11-23T10:00:00.000Z' };
    expect(await store.campaigns.recordOutreach(first)).toBe(false);
    expect(await store.campaigns.recordOutreach({ ...first, status: 'offered', userId: 8, at: '2026-11-24T10:00:00.000Z' })).toBe(true);
    expect(await store.campaigns.outreach('2026-W48')).toEqual([{ ...first, status: 'offered', userId: 8, at: '2026-11-24T10:00:00.000Z' }]);
    expect(await store.campaigns.progress('2026-W48')).toEqual({ planned: 2, offered: 1, noAnswer: 0, declined: 0 });
    expect(await store.campaigns.progress('2026-W47')).toEqual({ planned: 0, offered: 0, noAnswer: 0, declined: 0 });
    expect(await store.campaigns.member('2026-W48', 2)).toEqual(W48[1]);
    expect(await store.campaigns.member('2026-W48', 4)).toBeNull();
    await expect(store.campaigns.recordOutreach({ ...first, customerId: 4 })).rejects.toThrow(/FOREIGN KEY/);
    await expect(store.campaigns.recordOutreach({ ...first, week: '2026-W49' })).rejects.toThrow(/FOREIGN KEY/);
  });

  it('lists customers reached (not merely called) since a time, and control members of plans since a time', async () => {
    await store.campaigns.create(plan('2026-W47', '2026-11-16T09:00:00.000Z'), [member(4, 'control', 1), member(3, 'treated', 2)]);
    await store.campaigns.create(plan('2026-W48', '2026-11-23T09:00:00.000Z'), W48);
    const o = { week: '2026-W48', offer: 'cart' as const, userId: 7 };
    await store.campaigns.recordOutreach({ ...o, customerId: 1, status: 'offered', at: '2026-11-23T10:00:00.000Z' });
    await store.campaigns.recordOutreach({ ...o, customerId: 3, status: 'no_answer', at: '2026-11-23T11:00:00.000Z' });
    await store.campaigns.recordOutreach({ ...o, week: '2026-W47', customerId: 3, status: 'declined', at: '2026-11-17T11:00:00.000Z' });
    expect(await store.campaigns.contactedSince('2026-11-01T00:00:00.000Z')).toEqual([1, 3]);
    expect(await store.campaigns.contactedSince('2026-11-20T00:00:00.000Z')).toEqual([1]);
    expect(await store.campaigns.heldOutSince('2026-11-01T00:00:00.000Z')).toEqual([2, 4]);
    expect(await store.campaigns.heldOutSince('2026-11-20T00:00:00.000Z')).toEqual([2]);
    expect((await store.campaigns.plans()).map((p) => p.week)).toEqual(['2026-W47', '2026-W48']);
  });
});

describe('SQLite contact repository', () => {
  const ivan = { id: 1, name: 'Иван', phone: '+7 912 345-67-89', email: null, extra: { Город: 'Пермь' } };

  it('upserts by customer id and keeps everyone the new file does not mention', async () => {
    expect(await store.contacts.upsert([ivan, { id: 2, name: 'Ольга', phone: null, email: 'olga@example.ru', extra: {} }], 'a.csv')).toBe(2);
    expect(await store.contacts.upsert([{ ...ivan, phone: '89123456780', extra: {} }], 'b.csv')).toBe(1);
    expect(await store.contacts.get(1)).toEqual({ ...ivan, phone: '89123456780', extra: {} });
    expect((await store.contacts.get(2))?.email).toBe('olga@example.ru');
    expect(await store.contacts.get(3)).toBeNull();
    expect(await store.contacts.count()).toBe(2);
    expect((await store.contacts.byIds([3, 2, 1])).map((c) => c.id)).toEqual([1, 2]);
    expect(await store.contacts.byIds([])).toEqual([]);
  });

  it('survives new data set versions and reopening the file', async () => {
    const file = path.join(tmpDir(), 'store.db');
    const a = openStore(file);
    await a.contacts.upsert([ivan], 'contacts.csv');
    await a.datasets.create({ customers: [customer(1)], dropped: [], rowsIn: {}, customersIn: 1 }, 'next');
    await a.close();
    const b = openStore(file);
    expect(await b.contacts.get(1)).toEqual(ivan);
    await b.close();
  });

  it('looks up more ids than one SQL statement may bind', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: i + 1, name: null, phone: null, email: `c${i}@example.ru`, extra: {} }));
    await store.contacts.upsert(many, 'big.csv');
    expect(await store.contacts.byIds(many.map((c) => c.id))).toHaveLength(1200);
  });
});
