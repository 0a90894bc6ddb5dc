/**
 * Runs the weekly digest on DIGEST_CRON in DIGEST_TIMEZONE: catches up at start on a week whose
 * slot passed while the process was down, retries a run that an outage cut short, never overlaps
 * runs, and stops cleanly with the bot.
 *
 * A run another process holds ('busy') is looked at again once that holder's lease could have
 * run out, for as long as the week lasts: a live holder renews its lease and finishes (the look
 * finds the week done), a dead one's lease expires and this process resumes the run.
 */
import { schedule, type Logger as CronLogger } from 'node-cron';
import { periodOf, type DigestPeriod } from '../core/digest/period.ts';
import type { DeliverOptions, DeliveryReport } from '../core/digest/runner.ts';
import type { Logger } from '../core/ports.ts';
import { cronCalendar } from './cronCalendar.ts';

export interface DigestSchedulerOptions {
  cron: string;
  timeZone: string;
  deliver(period: DigestPeriod, opts: DeliverOptions): Promise<DeliveryReport>;
  log: Logger;
  /** Waits before retrying a failed run; the retries stop when the list runs out. */
  retryDelaysMs?: readonly number[];
  /** The runner's lease (DIGEST_LEASE_SECONDS): a busy run is tried again after it, plus a margin. */
  leaseMs?: number;
}

export interface DigestScheduler {
  /** Settles when the start-up catch-up (if any) has finished. */
  caughtUp: Promise<void>;
  nextRun(): Date | null;
  /** Stops the schedule; the run in progress finishes the chat it is serving and stops. */
  stop(): Promise<void>;
}

/** Up to about six hours: long enough to outlast a Telegram outage, short of the next week. */
export const DEFAULT_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 4 * 60 * 60_000];

/**
 * When to look at a busy run again: the lease, plus a tenth of it (at least a second) for the
 * holder's last renewal in flight and for clocks that differ a little between machines.
 */
export const busyRetryDelayMs = (leaseMs: number): number => leaseMs + Math.max(1000, Math.round(leaseMs / 10));

function cronLogger(log: Logger): CronLogger {
  const text = (m: string | Error) => (m instanceof Error ? m.message : m);
  return {
    info: (m) => log.info(`node-cron: ${m}`),
    warn: (m) => log.warn(`node-cron: ${m}`),
    error: (m, e) => log.error(`node-cron: ${text(m)}`, e ? { error: e.message } : undefined),
    debug: () => undefined,
  };
}

export function startDigestScheduler(opts: DigestSchedulerOptions): DigestScheduler {
  const { cron, timeZone, log } = opts;
  const delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const busyDelay = busyRetryDelayMs(opts.leaseMs ?? 5 * 60_000);
  const calendar = cronCalendar(cron, timeZone);
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Runs the week again after `delayMs`, unless a new week has begun by then. */
  function again(period: DigestPeriod, delayMs: number, attempt: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      // A new week has its own digest; last week's leftovers are not worth a late message.
      if (periodOf(new Date(), timeZone).key === period.key) void run(period, 'retry', attempt);
    }, delayMs);
  }

  /** A failed run: the next wait from the list, which is finite. */
  function retryLater(period: DigestPeriod, attempt: number): void {
    if (stopped) return;
    if (attempt >= delays.length) {
      log.error('digest: giving up retrying this week', { period: period.key });
      return;
    }
    again(period, delays[attempt], attempt + 1);
  }

  /** A busy run: its holder either finishes or lets its lease lapse, so looking again costs no failure retry. */
  function lookAgainWhenLeaseEnds(period: DigestPeriod, attempt: number): void {
    if (!stopped) again(period, busyDelay, attempt);
  }

  function run(period: DigestPeriod, trigger: DeliverOptions['trigger'], attempt = 0): Promise<void> {
    const p = opts.deliver(period, { trigger, signal: abort.signal }).then(
      (report) => {
        log.info('digest: run ended', { period: period.key, trigger, outcome: report.outcome, delivered: report.delivered, ...report.counts });
        if (report.outcome === 'busy') lookAgainWhenLeaseEnds(period, attempt);
      },
      (err: unknown) => {
        log.error('digest: run failed, will resume', { period: period.key, trigger, error: (err as Error)?.message ?? String(err) });
        retryLater(period, attempt);
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  }

  // The callback's promise is what noOverlap waits on: a slow run makes node-cron skip the next tick.
  const task = schedule(cron, (ctx) => run(periodOf(ctx.date, timeZone), 'schedule'), {
    timezone: timeZone,
    noOverlap: true,
    name: 'weekly-digest',
    logger: cronLogger(log),
  });

  const due = calendar.due(new Date());
  const caughtUp = due ? run(periodOf(due, timeZone), 'catch-up') : Promise.resolve();

  return {
    caughtUp,
    nextRun: () => (stopped ? null : task.getNextRun()),
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      abort.abort();
      await task.destroy();
      await Promise.allSettled([...inFlight]);
    },
  };
}
