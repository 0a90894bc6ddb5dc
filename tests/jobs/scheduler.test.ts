import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DigestPeriod } from '../../src/core/digest/period.ts';
import { createDigestRunner, type DeliverOptions, type DeliveryReport } from '../../src/core/digest/runner.ts';
import type { Reply } from '../../src/core/reply.ts';
import { openStore, type SqliteStore } from '../../src/data/sqlite/store.ts';
import { busyRetryDelayMs, startDigestScheduler, type DigestScheduler } from '../../src/jobs/scheduler.ts';

const silent = { info() {}, warn() {}, error() {} };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Call {
  period: string;
  trigger: string;
  at: string;
}

const done = (period: DigestPeriod): DeliveryReport => ({
  period: period.key,
  outcome: 'done',
  counts: { pending: 0, sent: 0, blocked: 0, failed: 0, skipped: 0 },
  delivered: 0,
  partsLost: 0,
});

function recordingDeliver(impl: (period: DigestPeriod, opts: DeliverOptions) => Promise<DeliveryReport> = async (p) => done(p)) {
  const calls: Call[] = [];
  const deliver = (period: DigestPeriod, opts: DeliverOptions) => {
    calls.push({ period: period.key, trigger: opts.trigger, at: new Date().toISOString() });
    return impl(period, opts);
  };
  return { calls, deliver };
}

let scheduler: DigestScheduler | undefined;
const stores: SqliteStore[] = [];

afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  for (const s of stores.splice(0)) await s.close();
  vi.useRealTimers();
});

function start(opts: { cron?: string; timeZone: string; deliver: Parameters<typeof startDigestScheduler>[0]['deliver']; retryDelaysMs?: number[]; leaseMs?: number }) {
  scheduler = startDigestScheduler({
    cron: opts.cron ?? '0 9 * * 1',
    timeZone: opts.timeZone,
    deliver: opts.deliver,
    log: silent,
    retryDelaysMs: opts.retryDelaysMs,
    leaseMs: opts.leaseMs,
  });
  return scheduler;
}

describe('digest schedule (node-cron under fake timers)', () => {
  it.each([
    ['Europe/Moscow, winter', 'Europe/Moscow', '2026-11-23T05:00:00Z', '2026-11-23T06:00:00.000Z', '2026-W48'],
    ['Europe/Moscow, summer (no DST: still 06:00 UTC)', 'Europe/Moscow', '2026-07-06T05:00:00Z', '2026-07-06T06:00:00.000Z', '2026-W28'],
    ['Europe/Berlin, winter', 'Europe/Berlin', '2026-11-23T07:00:00Z', '2026-11-23T08:00:00.000Z', '2026-W48'],
    ['Europe/Berlin, summer (DST: 07:00 UTC)', 'Europe/Berlin', '2026-07-06T06:00:00Z', '2026-07-06T07:00:00.000Z', '2026-W28'],
  ])('fires Monday 09:00 local time: %s', async (_name, timeZone, startAt, expected, period) => {
    vi.useFakeTimers({ now: new Date(startAt) });
    const { calls, deliver } = recordingDeliver();
    start({ timeZone, deliver });
    await scheduler!.caughtUp;
    expect(calls).toEqual([]); // this week's slot has not come yet: nothing to catch up
    expect(scheduler!.nextRun()?.toISOString()).toBe(expected);

    await vi.advanceTimersByTimeAsync(HOUR - 1000);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toEqual([{ period, trigger: 'schedule', at: expected }]);

    // Exactly once a week.
    await vi.advanceTimersByTimeAsync(6 * 24 * HOUR);
    expect(calls).toHaveLength(1);
  });

  it('catches up at start on a week whose slot passed while the process was down', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') }); // Wednesday of 2026-W48
    const { calls, deliver } = recordingDeliver();
    start({ timeZone: 'Europe/Moscow', deliver });
    await scheduler!.caughtUp;
    expect(calls).toEqual([{ period: '2026-W48', trigger: 'catch-up', at: '2026-11-25T10:00:00.000Z' }]);
    await vi.advanceTimersByTimeAsync(5 * 24 * HOUR);
    expect(calls.map((c) => [c.period, c.trigger, c.at])).toEqual([
      ['2026-W48', 'catch-up', '2026-11-25T10:00:00.000Z'],
      ['2026-W49', 'schedule', '2026-11-30T06:00:00.000Z'],
    ]);
  });

  it('never overlaps a slow run with the next tick', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-23T05:59:30Z') }); // 08:59:30 in Moscow
    let release!: () => void;
    const { calls, deliver } = recordingDeliver(
      (p, opts) =>
        new Promise<DeliveryReport>((resolve) => {
          release = () => resolve(done(p));
          opts.signal?.addEventListener('abort', release);
        }),
    );
    // Every minute from 09:00 to 09:05, so ticks come while the first run is still going.
    start({ cron: '0-5 9 * * 1', timeZone: 'Europe/Moscow', deliver });
    await scheduler!.caughtUp;
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(calls.map((c) => c.at)).toEqual(['2026-11-23T06:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(calls).toHaveLength(1); // 09:01 and 09:02 were skipped
    release();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(calls.map((c) => c.at)).toEqual(['2026-11-23T06:00:00.000Z', '2026-11-23T06:03:00.000Z']);
  });

  it('retries a run that failed, on the same week, then stops retrying once it succeeds', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
    let failures = 1;
    const { calls, deliver } = recordingDeliver(async (p) => {
      if (failures-- > 0) throw new Error('Telegram is down');
      return done(p);
    });
    start({ timeZone: 'Europe/Moscow', deliver, retryDelaysMs: [MINUTE, 5 * MINUTE] });
    await scheduler!.caughtUp;
    expect(calls.map((c) => c.trigger)).toEqual(['catch-up']);
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(calls.map((c) => c.trigger)).toEqual(['catch-up', 'retry']);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(calls).toHaveLength(2);
  });

  it('looks at a busy run again once the lease could have lapsed, as long as the week lasts, without using up the failure retries', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-29T18:00:00Z') }); // Sunday 21:00 in Moscow: three hours of 2026-W48 left
    const lease = 10 * MINUTE;
    const { calls, deliver } = recordingDeliver(async (p) => ({ ...done(p), outcome: 'busy' }));
    start({ timeZone: 'Europe/Moscow', deliver, retryDelaysMs: [MINUTE], leaseMs: lease });
    await scheduler!.caughtUp;
    expect(busyRetryDelayMs(lease)).toBe(11 * MINUTE);
    await vi.advanceTimersByTimeAsync(11 * MINUTE - 1000);
    expect(calls.map((c) => c.trigger)).toEqual(['catch-up']); // not after the failure list's minute
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((c) => c.trigger)).toEqual(['catch-up', 'retry']);
    // Far more looks than the failure list has retries, every 11 minutes, until the week ends at midnight.
    await vi.advanceTimersByTimeAsync(4 * HOUR);
    expect(calls).toHaveLength(1 + Math.floor((3 * HOUR) / (11 * MINUTE)));
    expect(new Set(calls.slice(1).map((c) => c.period))).toEqual(new Set(['2026-W48']));
    const gaps = calls.slice(1).map((c, i) => Date.parse(c.at) - Date.parse(calls[i].at));
    expect(new Set(gaps)).toEqual(new Set([11 * MINUTE]));
  });

  it('a busy run whose holder finishes: the next look finds the week done and stops looking', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
    const outcomes: DeliveryReport['outcome'][] = ['busy', 'busy', 'already-done'];
    const { calls, deliver } = recordingDeliver(async (p) => ({ ...done(p), outcome: outcomes.shift() ?? 'already-done' }));
    start({ timeZone: 'Europe/Moscow', deliver, leaseMs: 5 * MINUTE });
    await scheduler!.caughtUp;
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    expect(calls.map((c) => [c.trigger, c.at])).toEqual([
      ['catch-up', '2026-11-25T10:00:00.000Z'],
      ['retry', '2026-11-25T10:05:30.000Z'],
      ['retry', '2026-11-25T10:11:00.000Z'],
    ]);
  });

  it('failures keep their own finite list when busy looks come in between', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
    const outcomes: (DeliveryReport['outcome'] | 'fail')[] = ['fail', 'busy', 'fail', 'fail'];
    const { calls, deliver } = recordingDeliver(async (p) => {
      const next = outcomes.shift() ?? 'fail';
      if (next === 'fail') throw new Error('Telegram is down');
      return { ...done(p), outcome: next };
    });
    start({ timeZone: 'Europe/Moscow', deliver, retryDelaysMs: [MINUTE, 2 * MINUTE], leaseMs: 5 * MINUTE });
    await scheduler!.caughtUp;
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    // fail → 1 min → busy → 5.5 min → fail → 2 min → fail: the list is used up, no more tries.
    expect(calls.map((c) => c.at)).toEqual([
      '2026-11-25T10:00:00.000Z',
      '2026-11-25T10:01:00.000Z',
      '2026-11-25T10:06:30.000Z',
      '2026-11-25T10:08:30.000Z',
    ]);
  });

  it('stop() aborts the run in progress, waits for it and fires no more', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
    let signal: AbortSignal | undefined;
    let finished = false;
    const { calls, deliver } = recordingDeliver(async (p, opts) => {
      signal = opts.signal;
      await new Promise<void>((resolve) => opts.signal!.addEventListener('abort', () => resolve()));
      finished = true;
      return { ...done(p), outcome: 'interrupted' };
    });
    const s = start({ timeZone: 'Europe/Moscow', deliver });
    await vi.advanceTimersByTimeAsync(0);
    expect(signal?.aborted).toBe(false);
    await s.stop();
    expect(signal?.aborted).toBe(true);
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(14 * 24 * HOUR);
    expect(calls).toHaveLength(1);
    expect(s.nextRun()).toBeNull();
  });
});

describe('digest schedule with the real runner and store', () => {
  const parts: Reply[] = [{ type: 'text', text: 'сводка' }];

  function runnerOn(store: SqliteStore, sent: string[]) {
    return createDigestRunner({
      runs: store.digests,
      subscribers: store.subscribers,
      compose: async () => ({ modelVersion: 1, datasetVersion: 1, atRiskIds: [1, 2], parts }),
      transport: { send: async (chatId) => void sent.push(`${chatId}`) },
      mayReceive: async () => true,
    });
  }

  it('catches up once: a restart in the same week sends nothing again', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
    const store = openStore(':memory:');
    stores.push(store);
    await store.subscribers.subscribe(11, 11);
    await store.subscribers.subscribe(22, 22);
    const sent: string[] = [];

    start({ timeZone: 'Europe/Moscow', deliver: runnerOn(store, sent).deliver });
    await scheduler!.caughtUp;
    expect(sent.sort()).toEqual(['11', '22']);
    expect(await store.digests.get('2026-W48')).toMatchObject({ trigger: 'catch-up', finishedAt: expect.any(String) });
    await scheduler!.stop();

    // The process restarts later the same week.
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    start({ timeZone: 'Europe/Moscow', deliver: runnerOn(store, sent).deliver });
    await scheduler!.caughtUp;
    await vi.advanceTimersByTimeAsync(3 * 24 * HOUR);
    expect(sent).toHaveLength(2);

    // Next Monday's slot sends the new week.
    await vi.advanceTimersByTimeAsync(2 * 24 * HOUR);
    expect(sent).toHaveLength(4);
    expect((await store.digests.get('2026-W49'))?.trigger).toBe('schedule');
  });
});
