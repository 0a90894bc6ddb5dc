/**
 * Segments are stored at train time and read back by primary key: the tables must say exactly what
 * the old in-memory computation over every customer said, answers must never load the data set,
 * and a model stored without them (before the migration, or with other thresholds) gets them once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAssistant } from '../../src/core/assistant.ts';
import type { Store } from '../../src/core/ports.ts';
import { MEMBER_PAGE } from '../../src/core/portfolio.ts';
import { SEGMENT_CODES, segmentsOf, summarizeSegment, type SegmentCombination, type SegmentSettings } from '../../src/core/segments.ts';
import { csvDatasetReader, migrate, type SqliteStore } from '../../src/data/index.ts';
import { segmentOverviewChart } from '../../src/features/charts/specs.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { countingFullReads } from '../support/overriding.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await trainedApp();
});
afterEach(() => fx.dispose());

/** A store whose full reads are counted. */
function counting(store: Store) {
  const calls = { customers: 0, scores: 0, members: 0 };
  return countingFullReads(store, calls, { segments: { members: async (...a) => (calls.members++, await store.segments.members(...a)) } });
}

/** The pre-#14 computation: every customer of the served data set with its stored score, in memory. */
async function reference(store: Store, set: SegmentSettings) {
  const version = (await store.models.activeVersion())!;
  const meta = (await store.models.meta(version))!;
  const scores = new Map((await store.models.scores(version)).map((s) => [s.id, s.probability]));
  const all = (await store.datasets.customers(meta.datasetVersion)).map((customer) => ({ customer, probability: scores.get(customer.id)! }));
  const cut = (meta.metrics as { segmentCutoffs: Parameters<typeof summarizeSegment>[2] }).segmentCutoffs;
  return { all, cut, summaries: SEGMENT_CODES.map((code) => summarizeSegment(code, all, cut, set)) };
}

const settingsOf = (a: Fixture['app']): SegmentSettings => ({
  highRisk: a.config.risk.high,
  mediumRisk: a.config.risk.medium,
  promoShare: a.config.promoShare,
});

describe('segments stored at train time', () => {
  it('equal the in-memory computation on the demo set: aggregates, order, members and their segments', async () => {
    const { app } = fx;
    const ref = (await reference(app.store, settingsOf(app)));
    const stored = await app.assistant.segments({ members: 0 });
    expect(stored.map(({ members: _, ...a }) => a)).toEqual(ref.summaries.map(({ members: _, ...a }) => a));
    for (const r of ref.summaries) {
      const s = await app.assistant.segment(r.code, { members: 'all' });
      expect(s.members.map((m) => m.customer.id)).toEqual(r.members.map((m) => m.customer.id));
      expect(s.members.map((m) => [m.probability, m.priority, m.customer.profit, m.customer.popularCategory])).toEqual(
        r.members.map((m) => [m.probability, m.priority, m.customer.profit, m.customer.popularCategory]),
      );
      for (const [i, m] of s.members.entries()) expect(m.segments).toEqual(segmentsOf(r.members[i], ref.cut, settingsOf(app)));
    }
    expect(ref.summaries.some((s) => s.size > 0)).toBe(true);
  });

  it('a page is a prefix of the whole order, and pages join up across the page size', async () => {
    const { app } = fx;
    const all = await app.assistant.segment('at-risk', { members: 'all' });
    expect((await app.assistant.segment('at-risk', { members: 3 })).members).toEqual(all.members.slice(0, 3));
    expect((await app.assistant.segment('at-risk')).members).toEqual(all.members.slice(0, 5));
    expect(all.members).toHaveLength(all.size);
    const set = (await app.store.segments.find((await app.store.models.activeVersion())!, settingsOf(app)))!;
    const pieces = (await Promise.all([0, 7, 19].map((o, k, xs) => app.store.segments.members(set, 'at-risk', o, (xs[k + 1] ?? all.size) - o)))).flat();
    expect(pieces).toEqual(all.members);
    expect(MEMBER_PAGE).toBeGreaterThan(0);
  });

  it('/segment, /export and the summaries never load the data set or every score', async () => {
    const { app } = fx;
    const c = counting(app.store);
    const fresh = createAssistant({ store: c.store, reader: csvDatasetReader, settings: app.assistant.settings });
    await fresh.segments();
    await fresh.segment('profitable');
    await fresh.segment('at-risk', { members: 'all' });
    await fresh.risk((await fresh.segment('at-risk', { members: 1 })).members[0].customer.id);
    expect(c.calls).toMatchObject({ customers: 0, scores: 0 });
  });

  it('reads a page of members as one range of the primary key, touching no other table', async () => {
    const db = (fx.app.store as SqliteStore).db;
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id, probability, profit, category, segments FROM segment_member
         WHERE set_id = ? AND segment = ? AND rank >= ? AND rank < ? ORDER BY rank`,
      )
      .all(1, 0, 0, 5)
      .map((r) => (r as { detail: string }).detail)
      .join('; ');
    expect(plan).toMatch(/SEARCH segment_member USING PRIMARY KEY \(set_id=\? AND segment=\? AND rank>\? AND rank<\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN|customer/);
  });
});

/** Customers per exact combination of segments over every scored customer, keyed by the codes joined. */
function referenceCombinations(all: Awaited<ReturnType<typeof reference>>['all'], cut: Awaited<ReturnType<typeof reference>>['cut'], set: SegmentSettings) {
  const out = new Map<string, number>();
  for (const s of all) {
    const codes = segmentsOf(s, cut, set);
    if (codes.length) out.set(codes.join(), (out.get(codes.join()) ?? 0) + 1);
  }
  return out;
}

const byKey = (combinations: SegmentCombination[]) => new Map(combinations.map((c) => [c.segments.join(), c.customers]));

describe('the segments overview', () => {
  it('counts the overlaps at train time: equal to the count over every customer, and the chart the old member-by-member count drew', async () => {
    const { app } = fx;
    const ref = await reference(app.store, settingsOf(app));
    const overview = await app.assistant.segmentOverview();
    expect(byKey(overview.combinations)).toEqual(referenceCombinations(ref.all, ref.cut, settingsOf(app)));
    expect(overview.segments).toEqual(ref.summaries.map(({ members: _, ...a }) => a));
    expect(overview.combinations.some((c) => c.segments.filter((x) => x !== 'at-risk').length > 1)).toBe(true);

    // What the overview chart drew when it read every member of every segment: «ещё и в другом» per bar.
    const parts = ref.summaries.filter((x) => x.code !== 'at-risk');
    const seen = new Map<number, number>();
    for (const x of parts) for (const m of x.members) seen.set(m.customer.id, (seen.get(m.customer.id) ?? 0) + 1);
    const sharedByMembers = parts.map((x) => x.members.filter((m) => seen.get(m.customer.id)! > 1).length);
    const bars = (values: unknown[]) => values.filter((v) => v !== null);
    const chart = segmentOverviewChart(overview, app.config.units);
    expect(bars(chart.data.datasets[1].data)).toEqual(sharedByMembers);
    expect(bars(chart.data.datasets[0].data)).toEqual(parts.map((x, i) => x.size - sharedByMembers[i]));
    expect(sharedByMembers.some((n) => n > 0)).toBe(true);
  });

  it('/segment without a name reads six summary rows and the combinations: no member, customer or score', async () => {
    const { app } = fx;
    const c = counting(app.store);
    const fresh = createAssistant({ store: c.store, reader: csvDatasetReader, settings: app.assistant.settings });
    const overview = await fresh.segmentOverview();
    expect(overview.segments).toHaveLength(SEGMENT_CODES.length);
    expect(c.calls).toEqual({ customers: 0, scores: 0, members: 0 });
  });

  it('a store written before the combinations were gets them from its member rows; a set with a customer exactly at the threshold is built anew', async () => {
    const { app } = fx;
    const db = (app.store as SqliteStore).db;
    const before = byKey((await app.assistant.segmentOverview()).combinations);
    const version = (await app.store.models.activeVersion())!;
    /** Back to what migration 8 left: no combination table, no threshold rows (and none of the later steps' tables and columns). */
    const downgrade = () =>
      db.exec(`DROP TABLE lease; DROP INDEX update_claim_by_chat;
               ALTER TABLE update_claim DROP COLUMN chat_id; ALTER TABLE update_claim DROP COLUMN album; ALTER TABLE update_claim DROP COLUMN done_at;
               ALTER TABLE digest_delivery DROP COLUMN part_in_flight; ALTER TABLE digest_delivery DROP COLUMN parts_lost;
               DROP TRIGGER segment_combination_immutable; DROP TABLE segment_combination;
               DELETE FROM segment_member WHERE segment < 0; DELETE FROM segment_summary WHERE segment < 0; PRAGMA user_version = 8;`);
    downgrade();
    migrate(db);
    expect(byKey(await app.store.segments.combinations((await app.store.segments.find(version, settingsOf(app)))!))).toEqual(before);

    // One score exactly at the threshold: only the scores say who it is, so the set goes and is built again on first use.
    downgrade();
    db.exec('DROP TRIGGER score_immutable');
    const below = (await app.store.models.scores(version)).find((x) => x.probability < settingsOf(app).highRisk)!;
    db.prepare('UPDATE score SET probability = ? WHERE model_version = ? AND id = ?').run(settingsOf(app).highRisk, version, below.id);
    migrate(db);
    expect(await app.store.segments.find(version, settingsOf(app))).toBeNull();
    const fresh = createAssistant({ store: app.store, reader: csvDatasetReader, settings: app.assistant.settings });
    await fresh.segmentOverview();
    const rebuilt = (await app.store.segments.find(version, settingsOf(app)))!;
    expect(rebuilt.atThreshold).toBe(1);
    expect((await app.store.segments.atThreshold(rebuilt, 0, 5)).map((m) => m.customer.id)).toEqual([below.id]);
  });
});

describe('a model without stored segments', () => {
  /** What a model saved before migration 7 looks like: no segment rows. */
  function forgetSegments(store: Store) {
    const db = (store as SqliteStore).db;
    db.exec('DELETE FROM segment_member; DELETE FROM segment_summary; DELETE FROM segment_combination; DELETE FROM segment_set;');
  }

  it('gets them built once on the first question, stored, and read afterwards', async () => {
    const { app } = fx;
    const before = await app.assistant.segments({ members: 3 });
    forgetSegments(app.store);
    const c = counting(app.store);
    let builds = 0;
    const first = createAssistant({ store: c.store, reader: csvDatasetReader, settings: app.assistant.settings });
    const [a, b] = await Promise.all([first.segments({ members: 3 }), first.segment('at-risk')]);
    expect(c.calls.customers).toBe(1); // two questions at once share one build
    expect(a).toEqual(before);
    expect({ ...b, members: b.members.slice(0, 3) }).toEqual(before.find((s) => s.code === 'at-risk'));
    const later = createAssistant({
      store: c.store,
      reader: csvDatasetReader,
      settings: app.assistant.settings,
      work: { buildSegments: async () => void builds++, explain: async () => [] },
    });
    expect(await later.segments({ members: 3 })).toEqual(before);
    expect(builds).toBe(0);
    expect(c.calls.customers).toBe(1);
  });

  it('other thresholds get their own stored set, equal to the in-memory computation with them', async () => {
    const { app } = fx;
    const settings = { ...app.assistant.settings, risk: { medium: 0.3, high: 0.8 }, promoShare: 0.6 };
    const stricter = createAssistant({ store: app.store, reader: csvDatasetReader, settings });
    const ref = (await reference(app.store, { highRisk: 0.8, mediumRisk: 0.3, promoShare: 0.6 }));
    const got = await stricter.segments({ members: 0 });
    expect(got.map(({ members: _, ...x }) => x)).toEqual(ref.summaries.map(({ members: _, ...x }) => x));
    // The configured thresholds' set is untouched.
    expect((await app.assistant.segments({ members: 0 })).map((s) => s.size)).toEqual((await reference(app.store, settingsOf(app))).summaries.map((s) => s.size));
    const db = (app.store as SqliteStore).db;
    expect(db.prepare('SELECT count(*) FROM segment_set').pluck().get()).toBe(2);
  });
});
