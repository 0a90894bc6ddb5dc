/**
 * Sends one week's digest to every subscriber, each part at most once per chat, whatever crashes in between.
 *
 * The first run of a week freezes the content and records a delivery row per subscriber; each part
 * a chat receives is recorded as it goes. A run that stops early (crash, outage, shutdown) is
 * resumed by the next trigger of the same week and skips what was already delivered. A lease in
 * the run row keeps a second process (the CLI next to the bot, another replica) from sending the
 * same week at once.
 *
 * A part is marked in flight before its send and unmarked with its outcome. A mark still there when
 * a run resumes was left by a sender that died mid-send, so nobody knows whether Telegram got that
 * part; Telegram has no idempotency key, so the part is skipped and counted as possibly lost rather
 * than risk it twice.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  AuditLog,
  DeliveryStatus,
  DigestDelivery,
  DigestRunRepository,
  DigestSnapshot,
  DigestTransport,
  Logger,
  Subscriber,
  SubscriberRepository,
} from '../ports.ts';
import type { Reply } from '../reply.ts';
import { shorten } from '../text.ts';
import { ChatMigratedError, DeliveryRejectedError, LeaseLostError, RecipientUnavailableError } from './errors.ts';
import type { DigestPeriod } from './period.ts';

export interface ComposedDigest extends DigestSnapshot {
  parts: Reply[];
}

/** `manual` (the CLI) also retries failed chats and reaches subscribers who joined after the run. */
export type DigestTrigger = 'schedule' | 'catch-up' | 'retry' | 'manual';

export interface DeliverOptions {
  trigger: DigestTrigger;
  /** Rebuild the content and send it again to every subscriber. */
  force?: boolean;
  /** Stops taking new chats (the chat being served still gets all its parts). */
  signal?: AbortSignal;
}

export interface DeliveryReport {
  period: string;
  /**
   * done: every chat was served; already-done: a finished run, nothing to do; busy: another
   * process holds the run; interrupted: stopped by the signal, the next trigger resumes it.
   */
  outcome: 'done' | 'already-done' | 'busy' | 'interrupted';
  /** Every chat of the week by status, this call's work included. */
  counts: Record<DeliveryStatus, number>;
  /** Chats that got their copy completed by this call. */
  delivered: number;
  /** Parts of the week that chats may lack: left in flight by a sender that died, and not sent again. */
  partsLost: number;
}

export interface DigestRunnerDeps {
  runs: DigestRunRepository;
  subscribers: SubscriberRepository;
  compose(period: DigestPeriod): Promise<ComposedDigest>;
  transport: DigestTransport;
  /**
   * Whether the subscriber may still receive customer data, asked before every part is sent
   * (access lists change between the subscription and the send). A refused one is skipped,
   * unsubscribed as 'revoked' and audited.
   */
  mayReceive: (subscriber: Subscriber) => Promise<boolean>;
  audit?: AuditLog;
  now?: () => Date;
  log?: Logger;
  /** Chats served at once; the transport's throttle keeps the overall rate. */
  concurrency?: number;
  /** How long the run stays ours without progress before another process may take it over. */
  leaseMs?: number;
  /** Identifies this process in the lease. */
  owner?: string;
}

export type DigestRunner = ReturnType<typeof createDigestRunner>;

const errorText = (e: unknown) => shorten(e instanceof Error ? e.message : String(e), 500);
/** What a delivery row says of the parts its chat may lack. */
const lostText = (n: number) => `${n} part(s) possibly lost: the sender stopped mid-send`;

export function createDigestRunner(deps: DigestRunnerDeps) {
  const { runs, subscribers, transport, log } = deps;
  const now = deps.now ?? (() => new Date());
  const concurrency = Math.max(1, deps.concurrency ?? 8);
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const ts = () => now().toISOString();
  const lease = () => ({ owner, until: new Date(now().getTime() + leaseMs).toISOString() });

  async function report(period: string, outcome: DeliveryReport['outcome'], delivered = 0): Promise<DeliveryReport> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, sent: 0, blocked: 0, failed: 0, skipped: 0 };
    let partsLost = 0;
    for (const d of await runs.deliveries(period)) {
      counts[d.status]++;
      partsLost += d.partsLost;
    }
    return { period, outcome, counts, delivered, partsLost };
  }

  /** What became of one chat: served, not served (final), or moved to another chat id. */
  type Served = { kind: 'sent' } | { kind: 'not-sent' } | { kind: 'migrated'; to: number };

  async function revoke(period: string, s: Subscriber): Promise<Served> {
    await runs.markFinal(period, s.chatId, 'skipped', 'access revoked', ts());
    await subscribers.unsubscribe(s.chatId, 'revoked');
    await deps.audit?.record({ userId: s.userId, chatId: s.chatId, action: `digest ${period}: not sent, access revoked` });
    log?.warn('digest recipient no longer allowed, unsubscribed', { period, chatId: s.chatId });
    return { kind: 'not-sent' };
  }

  async function deliverTo(period: string, d: DigestDelivery, parts: Reply[], active: Map<number, Subscriber>): Promise<Served> {
    const subscriber = active.get(d.chatId);
    if (!subscriber) {
      await runs.markFinal(period, d.chatId, 'skipped', null, ts());
      return { kind: 'not-sent' };
    }
    let from = d.partsSent;
    let lost = d.partsLost;
    if (d.partInFlight !== null && d.partInFlight === from) {
      // Its sender died between the mark and the outcome: Telegram may have it; again could make it twice.
      await runs.markLost(period, d.chatId, from, lostText(++lost), ts());
      log?.warn('digest part left in flight by a stopped sender: not sent again, possibly lost', { period, chatId: d.chatId, part: from + 1, of: parts.length });
      from++;
    }
    for (let i = from; i < parts.length; i++) {
      if (!(await deps.mayReceive(subscriber))) return revoke(period, subscriber);
      await runs.markInFlight(period, d.chatId, i, ts());
      try {
        await transport.send(d.chatId, parts[i]);
      } catch (e) {
        if (e instanceof ChatMigratedError) {
          await runs.markFinal(period, d.chatId, 'skipped', `migrated to ${e.toChatId}`, ts());
          await subscribers.migrate(d.chatId, e.toChatId);
          log?.info('digest chat migrated to a supergroup', { period, from: d.chatId, to: e.toChatId });
          return { kind: 'migrated', to: e.toChatId };
        }
        if (e instanceof RecipientUnavailableError) {
          await runs.markFinal(period, d.chatId, 'blocked', errorText(e), ts());
          await subscribers.unsubscribe(d.chatId, 'blocked');
          log?.warn('digest recipient gone, unsubscribed', { period, chatId: d.chatId, error: errorText(e) });
          return { kind: 'not-sent' };
        }
        if (e instanceof DeliveryRejectedError) {
          await runs.markFinal(period, d.chatId, 'failed', errorText(e), ts());
          log?.warn('digest rejected for chat', { period, chatId: d.chatId, error: errorText(e) });
          return { kind: 'not-sent' };
        }
        await runs.markAttempt(period, d.chatId, errorText(e), ts());
        throw e;
      }
      await runs.markProgress(period, d.chatId, i + 1, ts());
      if (!(await runs.acquire(period, lease(), ts()))) throw new LeaseLostError(period);
    }
    await runs.markFinal(period, d.chatId, 'sent', lost > 0 ? lostText(lost) : null, ts());
    return { kind: 'sent' };
  }

  /** Serves pending chats; `finished` is false when the signal stopped it first. */
  async function sendPending(period: string, signal?: AbortSignal): Promise<{ finished: boolean; delivered: number }> {
    const parts = await runs.parts(period);
    const active = new Map((await subscribers.active()).map((s) => [s.chatId, s]));
    const queue = (await runs.deliveries(period)).filter((d) => d.status === 'pending');
    let failure: { error: unknown } | null = null;
    let delivered = 0;
    const worker = async () => {
      while (queue.length > 0 && !failure && !signal?.aborted) {
        const d = queue.shift()!;
        try {
          const served = await deliverTo(period, d, parts, active);
          if (served.kind === 'sent') delivered++;
          if (served.kind === 'migrated') {
            // The subscription moved with the chat; its copy goes to the new id in this run.
            for (const s of await subscribers.active()) active.set(s.chatId, s);
            if ((await runs.enqueue(period, [served.to], ts())) > 0) queue.push(...(await runs.deliveries(period)).filter((x) => x.chatId === served.to));
          }
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    if (failure) throw (failure as { error: unknown }).error;
    return { finished: queue.length === 0, delivered };
  }

  async function deliverNow(period: DigestPeriod, opts: DeliverOptions): Promise<DeliveryReport> {
    const key = period.key;
    const existing = await runs.get(key);
    if (existing?.finishedAt && !opts.force && opts.trigger !== 'manual') return report(key, 'already-done');
    if (existing) {
      if (!(await runs.acquire(key, lease(), ts()))) return report(key, 'busy');
    } else {
      const composed = await deps.compose(period);
      const created = await runs.create({ period: key, trigger: opts.trigger, ...composed }, lease(), ts());
      // Lost a race with another process: carry on with its run if it has let go.
      if (!created && !(await runs.acquire(key, lease(), ts()))) return report(key, 'busy');
    }
    try {
      if (existing && opts.force) await runs.replace({ period: key, trigger: opts.trigger, ...(await deps.compose(period)) }, ts());
      await runs.enqueue(key, (await subscribers.active()).map((s) => s.chatId), ts());
      if (opts.trigger === 'manual') await runs.requeueFailed(key, ts());
      log?.info('digest run', { period: key, trigger: opts.trigger, force: opts.force ?? false, resumed: Boolean(existing) });
      const { finished, delivered } = await sendPending(key, opts.signal);
      if (!finished) return await report(key, 'interrupted', delivered);
      await runs.finish(key, ts());
      const done = await report(key, 'done', delivered);
      log?.info('digest run finished', { period: key, delivered, ...done.counts, partsLost: done.partsLost });
      return done;
    } finally {
      await runs.release(key, owner);
    }
  }

  let chain: Promise<unknown> = Promise.resolve();

  return {
    /** Runs one at a time within the process: a catch-up, a cron tick and a retry never interleave. */
    deliver(period: DigestPeriod, opts: DeliverOptions): Promise<DeliveryReport> {
      const run = chain.then(() => deliverNow(period, opts));
      chain = run.catch(() => undefined);
      return run;
    },
  };
}
