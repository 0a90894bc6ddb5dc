import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatMigratedError, DeliveryRejectedError, RecipientUnavailableError } from '../../src/core/digest/errors.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import { createDigestRunner, type ComposedDigest, type DigestRunnerDeps } from '../../src/core/digest/runner.ts';
import type { DigestTransport } from '../../src/core/ports.ts';
import type { Reply } from '../../src/core/reply.ts';
import { openStore, type SqliteStore } from '../../src/data/sqlite/store.ts';

const W48 = periodFromKey('2026-W48');
const CHATS = [101, 102, 103, 104, 105];

/** What each chat received, in order: "text", "photo", "document". */
type Inbox = Map<number, string[]>;

function parts(label = 'v1'): Reply[] {
  return [
    { type: 'text', text: `сводка ${label}` },
    { type: 'photo', png: Buffer.from(`png ${label}`), fileName: 'trend.png' },
    { type: 'document', content: Buffer.from(`csv ${label}`), fileName: 'digest.csv' },
  ];
}

const describePart = (p: Reply) => (p.type === 'text' ? p.text : `${p.type}:${(p.type === 'photo' ? p.png : p.content).toString()}`);

/** A transport that records deliveries; `fail` decides per call whether to throw (or hang) instead. */
function fakeTransport(inbox: Inbox, fail?: (chatId: number, part: Reply, n: number) => Error | 'hang' | undefined): DigestTransport {
  let n = 0;
  return {
    async send(chatId, part) {
      const outcome = fail?.(chatId, part, n++);
      if (outcome === 'hang') return new Promise(() => undefined);
      if (outcome) throw outcome;
      inbox.set(chatId, [...(inbox.get(chatId) ?? []), describePart(part)]);
    },
  };
}

let store: SqliteStore;
let clock: Date;

beforeEach(async () => {
  store = openStore(':memory:');
  clock = new Date('2026-11-23T06:00:00Z');
  for (const id of CHATS) await store.subscribers.subscribe(id, id);
});
afterEach(() => store.close());

function runner(transport: DigestTransport, opts: Partial<DigestRunnerDeps> & { composed?: () => ComposedDigest } = {}) {
  let composes = 0;
  const r = createDigestRunner({
    runs: store.digests,
    subscribers: store.subscribers,
    compose: async () => {
      composes++;
      return opts.composed?.() ?? { modelVersion: 1, datasetVersion: 1, atRiskIds: [3, 1, 2].sort(), parts: parts() };
    },
    transport,
    mayReceive: async () => true,
    now: () => clock,
    concurrency: 2,
    ...opts,
  });
  return { ...r, composes: () => composes };
}

const full = ['сводка v1', 'photo:png v1', 'document:csv v1'];

describe('digest runner', () => {
  it('sends the three parts to every subscriber once and records the run', async () => {
    const inbox: Inbox = new Map();
    const r = runner(fakeTransport(inbox));
    const report = await r.deliver(W48, { trigger: 'schedule' });
    expect(report).toMatchObject({ period: '2026-W48', outcome: 'done', counts: { sent: 5, pending: 0 }, delivered: 5 });
    for (const id of CHATS) expect(inbox.get(id)).toEqual(full);
    expect(await store.digests.get('2026-W48')).toMatchObject({ atRiskIds: [1, 2, 3], finishedAt: clock.toISOString(), trigger: 'schedule' });

    const again = await r.deliver(W48, { trigger: 'catch-up' });
    expect(again).toMatchObject({ outcome: 'already-done', delivered: 0 });
    for (const id of CHATS) expect(inbox.get(id)).toHaveLength(3);
    expect(r.composes()).toBe(1);
  });

  it('resumes after a send throws mid-run: delivered chats and parts are not sent twice', async () => {
    const inbox: Inbox = new Map();
    // The outage starts with the photo for the third chat to be served.
    let outage = false;
    const first = runner(
      fakeTransport(inbox, (chatId, part) => {
        if (chatId === 103 && part.type === 'photo') outage = true;
        return outage ? new Error('socket hang up') : undefined;
      }),
      { concurrency: 1 },
    );
    await expect(first.deliver(W48, { trigger: 'schedule' })).rejects.toThrow('socket hang up');
    expect(inbox.get(101)).toEqual(full);
    expect(inbox.get(102)).toEqual(full);
    expect(inbox.get(103)).toEqual(['сводка v1']);
    expect((await store.digests.get('2026-W48'))?.finishedAt).toBeNull();

    // Next trigger (another process after a restart), Telegram is back.
    const second = runner(fakeTransport(inbox));
    const report = await second.deliver(W48, { trigger: 'catch-up' });
    expect(report).toMatchObject({ outcome: 'done', delivered: 3 });
    for (const id of CHATS) expect(inbox.get(id)).toEqual(full);
    expect(second.composes()).toBe(0); // the frozen content is reused
  });

  /** A sender that dies in the middle of sending 102's document: `received` says whether Telegram got it first. */
  function crashingSender(inbox: Inbox, received: boolean) {
    let hung!: () => void;
    const crashedAt = new Promise<void>((r) => (hung = r));
    const transport = fakeTransport(inbox, (chatId, part) => {
      if (chatId !== 102 || part.type !== 'document') return undefined;
      if (received) inbox.set(chatId, [...(inbox.get(chatId) ?? []), describePart(part)]);
      hung();
      return 'hang';
    });
    return { transport, crashedAt };
  }

  it('survives a hard crash: a dead process keeps the run until its lease expires, then it resumes without the part in flight', async () => {
    const inbox: Inbox = new Map();
    const { transport, crashedAt } = crashingSender(inbox, false);
    const crashed = runner(transport, { concurrency: 1, owner: 'A', leaseMs: 5 * 60_000 });
    void crashed.deliver(W48, { trigger: 'schedule' });
    await crashedAt;
    expect(inbox.get(102)).toEqual(['сводка v1', 'photo:png v1']);
    expect((await store.digests.deliveries('2026-W48')).find((d) => d.chatId === 102)).toMatchObject({ partsSent: 2, partInFlight: 2 });

    const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log = { info() {}, error() {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }) };
    const restarted = runner(fakeTransport(inbox), { owner: 'B', leaseMs: 5 * 60_000, log });
    expect((await restarted.deliver(W48, { trigger: 'catch-up' })).outcome).toBe('busy');
    for (const id of [103, 104, 105]) expect(inbox.get(id)).toBeUndefined();

    clock = new Date(clock.getTime() + 6 * 60_000);
    const report = await restarted.deliver(W48, { trigger: 'retry' });
    expect(report).toMatchObject({ outcome: 'done', counts: { sent: 5 }, partsLost: 1 });
    // Nobody knows whether Telegram got 102's document: it is not sent again, so it may be missing but never comes twice.
    expect(inbox.get(102)).toEqual(['сводка v1', 'photo:png v1']);
    for (const id of [101, 103, 104, 105]) expect(inbox.get(id)).toEqual(full);
    expect((await store.digests.deliveries('2026-W48')).find((d) => d.chatId === 102)).toMatchObject({
      status: 'sent',
      partsSent: 3,
      partInFlight: null,
      partsLost: 1,
      error: '1 part(s) possibly lost: the sender stopped mid-send',
    });
    expect(warnings).toEqual([{ msg: expect.stringMatching(/in flight.*not sent again/), fields: { period: '2026-W48', chatId: 102, part: 3, of: 3 } }]);
  });

  it('a part Telegram got just before its sender died reaches the chat once, not twice', async () => {
    const inbox: Inbox = new Map();
    const { transport, crashedAt } = crashingSender(inbox, true);
    void runner(transport, { concurrency: 1, owner: 'A', leaseMs: 5 * 60_000 }).deliver(W48, { trigger: 'schedule' });
    await crashedAt;
    clock = new Date(clock.getTime() + 6 * 60_000);
    expect(await runner(fakeTransport(inbox), { owner: 'B' }).deliver(W48, { trigger: 'retry' })).toMatchObject({ outcome: 'done', partsLost: 1 });
    for (const id of CHATS) expect(inbox.get(id)).toEqual(full);
  });

  it('a part whose send failed in this process is not in flight: a resume sends it', async () => {
    const inbox: Inbox = new Map();
    const first = runner(fakeTransport(inbox, (chatId, part) => (chatId === 101 && part.type === 'photo' ? new Error('socket hang up') : undefined)), {
      concurrency: 1,
    });
    await expect(first.deliver(W48, { trigger: 'schedule' })).rejects.toThrow('socket hang up');
    expect((await store.digests.deliveries('2026-W48')).find((d) => d.chatId === 101)).toMatchObject({ partsSent: 1, partInFlight: null, attempts: 1 });
    expect(await runner(fakeTransport(inbox)).deliver(W48, { trigger: 'retry' })).toMatchObject({ outcome: 'done', partsLost: 0 });
    for (const id of CHATS) expect(inbox.get(id)).toEqual(full);
  });

  it('a chat that blocked the bot is unsubscribed; the others still get the digest', async () => {
    const inbox: Inbox = new Map();
    const r = runner(
      fakeTransport(inbox, (chatId) => (chatId === 103 ? new RecipientUnavailableError('Forbidden: bot was blocked by the user') : undefined)),
    );
    const report = await r.deliver(W48, { trigger: 'schedule' });
    expect(report.counts).toMatchObject({ sent: 4, blocked: 1 });
    expect(await store.subscribers.isSubscribed(103)).toBe(false);
    expect((await store.subscribers.active()).map((s) => s.chatId)).toEqual([101, 102, 104, 105]);
    expect(inbox.get(103)).toBeUndefined();
  });

  it('checks access before every part: a chat whose user lost access mid-run gets nothing more, is unsubscribed and audited', async () => {
    const inbox: Inbox = new Map();
    const revoked = new Set<number>([102]);
    const r = runner(
      fakeTransport(inbox, (chatId, part) => {
        // 104 loses access after its text has gone out.
        if (chatId === 104 && part.type === 'text') queueMicrotask(() => revoked.add(104));
        return undefined;
      }),
      { mayReceive: async (s) => !revoked.has(s.chatId), audit: store.audit },
    );
    const report = await r.deliver(W48, { trigger: 'schedule' });
    expect(inbox.get(102)).toBeUndefined();
    expect(inbox.get(104)).toEqual(['сводка v1']);
    expect(report.counts).toMatchObject({ sent: 3, skipped: 2 });
    expect((await store.subscribers.active()).map((s) => s.chatId)).toEqual([101, 103, 105]);
    const audited = (await store.audit.recent(10)).filter((e) => /access revoked/.test(e.action)).map((e) => e.chatId);
    expect(audited.sort()).toEqual([102, 104]);
  });

  it('a group that became a supergroup gets its copy at the new id, and its subscription moves there', async () => {
    const inbox: Inbox = new Map();
    await store.subscribers.subscribe(-500, 7);
    const r = runner(
      fakeTransport(inbox, (chatId) =>
        chatId === -500 ? new ChatMigratedError(-100500, 'Bad Request: group chat was upgraded to a supergroup chat') : undefined,
      ),
    );
    const report = await r.deliver(W48, { trigger: 'schedule' });
    expect(inbox.get(-100500)).toEqual(full);
    expect(inbox.get(-500)).toBeUndefined();
    expect(report.counts.sent).toBe(CHATS.length + 1);
    expect(await store.subscribers.isSubscribed(-100500)).toBe(true);
    expect(await store.subscribers.isSubscribed(-500)).toBe(false);
    expect(await store.subscribers.originOf(-100500)).toBe(-500);
  });

  it('a rejected chat is marked failed; a manual send retries it and reaches late subscribers', async () => {
    const inbox: Inbox = new Map();
    let reject = true;
    const r = runner(fakeTransport(inbox, (chatId) => (chatId === 104 && reject ? new DeliveryRejectedError('Bad Request: chat not found') : undefined)));
    expect((await r.deliver(W48, { trigger: 'schedule' })).counts).toMatchObject({ sent: 4, failed: 1 });
    await store.subscribers.subscribe(106, 106);

    // Schedule and catch-up leave a finished week alone…
    expect((await r.deliver(W48, { trigger: 'catch-up' })).outcome).toBe('already-done');
    // …the CLI's manual send does the rest, without repeating anyone.
    reject = false;
    const report = await r.deliver(W48, { trigger: 'manual' });
    expect(report.counts).toMatchObject({ sent: 6, failed: 0 });
    for (const id of [...CHATS, 106]) expect(inbox.get(id)).toEqual(full);
  });

  it('--force rebuilds the content and sends it again to everyone', async () => {
    const inbox: Inbox = new Map();
    let label = 'v1';
    const r = runner(fakeTransport(inbox), {
      composed: () => ({ modelVersion: label === 'v1' ? 1 : 2, datasetVersion: 1, atRiskIds: [1], parts: parts(label) }),
    });
    await r.deliver(W48, { trigger: 'schedule' });
    label = 'v2';
    await r.deliver(W48, { trigger: 'manual', force: true });
    for (const id of CHATS) expect(inbox.get(id)).toEqual([...full, 'сводка v2', 'photo:png v2', 'document:csv v2']);
    expect((await store.digests.get('2026-W48'))?.modelVersion).toBe(2);
  });

  it('stops taking chats when aborted and finishes the rest on the next trigger', async () => {
    const inbox: Inbox = new Map();
    const abort = new AbortController();
    const r = runner(
      fakeTransport(inbox, (chatId, part) => {
        if (chatId === 102 && part.type === 'text') abort.abort();
        return undefined;
      }),
      { concurrency: 1 },
    );
    const report = await r.deliver(W48, { trigger: 'schedule', signal: abort.signal });
    expect(report.outcome).toBe('interrupted');
    expect(inbox.get(102)).toEqual(full); // the chat being served got all of it
    expect(inbox.has(103)).toBe(false);
    expect((await r.deliver(W48, { trigger: 'retry' })).outcome).toBe('done');
    for (const id of CHATS) expect(inbox.get(id)).toEqual(full);
  });

  it('two processes triggering at once send each chat one copy', async () => {
    const inbox: Inbox = new Map();
    const slow = (): DigestTransport => {
      const t = fakeTransport(inbox);
      return { send: async (c, p) => (await new Promise((r) => setTimeout(r, 2)), t.send(c, p)) };
    };
    const a = runner(slow(), { owner: 'A' });
    const b = runner(slow(), { owner: 'B' });
    const reports = await Promise.all([a.deliver(W48, { trigger: 'schedule' }), b.deliver(W48, { trigger: 'manual' })]);
    expect(reports.map((x) => x.outcome).sort()).toEqual(['busy', 'done']);
    for (const id of CHATS) expect(inbox.get(id)).toEqual(full);
  });

  it('remembers each week’s at-risk set for the next week’s comparison', async () => {
    const r = runner(fakeTransport(new Map()), {
      composed: () => ({ modelVersion: 1, datasetVersion: 1, atRiskIds: [10, 20, 30], parts: parts() }),
    });
    await r.deliver(periodFromKey('2026-W47'), { trigger: 'schedule' });
    await r.deliver(W48, { trigger: 'schedule' });
    expect((await store.digests.previous('2026-W49'))?.period).toBe('2026-W48');
    expect((await store.digests.previous('2026-W48'))?.atRiskIds).toEqual([10, 20, 30]);
    expect(await store.digests.history('2026-W49', 7)).toEqual([
      { period: '2026-W47', atRiskCount: 3 },
      { period: '2026-W48', atRiskCount: 3 },
    ]);
  });
});
