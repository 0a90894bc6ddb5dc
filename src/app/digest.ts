/**
 * The weekly digest wired from an App: subscription commands, composition, the runner over the
 * Bot API and the schedule. The composition root, the CLI and the tests all use this wiring.
 */
import { Telegram } from 'telegraf';
import { telegramDigestTransport } from '../bot/digest.ts';
import { prepareBotApi } from '../bot/transport.ts';
import type { SendThrottle } from '../bot/throttle.ts';
import { digestParts } from '../features/digest.ts';
import type { Config } from '../config.ts';
import { mayReceive } from '../core/access.ts';
import { accessPolicy } from './access.ts';
import { periodOf, type DigestPeriod } from '../core/digest/period.ts';
import { createDigestRunner, type ComposedDigest, type DigestRunner, type DigestRunnerDeps } from '../core/digest/runner.ts';
import { buildDigestView, TREND_WEEKS, type DigestView } from '../core/digest/view.ts';
import type { DigestTransport, Logger } from '../core/ports.ts';
import { cronCalendar } from '../jobs/cronCalendar.ts';
import type { App } from './types.ts';
import { fmtDigestTime } from '../messages.ts';
import { startDigestScheduler, type DigestScheduler } from '../jobs/scheduler.ts';

export type DigestApp = Pick<App, 'assistant' | 'campaign' | 'charts' | 'store' | 'config' | 'log'> & Partial<Pick<App, 'offload'>>;

/** When the next digest goes out, phrased for people, for `/subscribe`. */
export function nextDigestText(config: Pick<Config, 'digest'>): () => string | null {
  const { cron, timezone } = config.digest;
  const calendar = cronCalendar(cron, timezone);
  return () => {
    const next = calendar.next(new Date());
    return next ? fmtDigestTime(next, timezone) : null;
  };
}

/** The digest week `now` falls in. */
export const currentPeriod = (config: Pick<Config, 'digest'>, now: Date = new Date()): DigestPeriod =>
  periodOf(now, config.digest.timezone);

/** A period's digest for the current store, compared with the last recorded digest before it. */
export async function composeDigest(app: DigestApp, period: DigestPeriod): Promise<{ view: DigestView; composed: ComposedDigest }> {
  const view = await buildDigestView({
    assistant: app.assistant,
    period,
    previous: await app.store.digests.previous(period.key),
    history: await app.store.digests.history(period.key, TREND_WEEKS - 1),
  });
  const ids = view.atRisk.customers.map((c) => c.id);
  const parts = await digestParts(view, app.charts, app.config.units, {
    contacts: new Map((await app.store.contacts.byIds(ids)).map((c) => [c.id, c])),
    campaign: (await app.campaign.results()).campaigns.at(-1) ?? null,
  });
  return {
    view,
    composed: {
      modelVersion: view.model.version,
      datasetVersion: view.model.datasetVersion,
      atRiskIds: view.atRisk.customers.map((c) => c.id).sort((a, b) => a - b),
      parts,
    },
  };
}

export function digestRunner(app: DigestApp, transport: DigestTransport, opts: Partial<DigestRunnerDeps> = {}): DigestRunner {
  const policy = accessPolicy(app.config, app.store.subscribers);
  return createDigestRunner({
    runs: app.store.digests,
    subscribers: app.store.subscribers,
    compose: async (period) => (await composeDigest(app, period)).composed,
    transport,
    mayReceive: (s) => mayReceive(policy, s.chatId, s.userId),
    audit: app.store.audit,
    log: app.log,
    leaseMs: app.config.digest.leaseMs,
    ...opts,
  });
}

export interface DigestScheduleOptions {
  throttle?: SendThrottle;
  retryDelaysMs?: readonly number[];
}

/** A digest run as the bot's schedule makes it: in a worker when the app runs a pool, else here through `telegram`. */
export function deliverDigest(app: DigestApp, telegram: Telegram, opts: DigestScheduleOptions = {}): DigestRunner['deliver'] {
  const runner = digestRunner(app, telegramDigestTransport(telegram, opts.throttle));
  return (period, o) => (app.offload ? app.offload.deliverDigest(period, o, runner.deliver) : runner.deliver(period, o));
}

/** The schedule that runs alongside the bot, sending through the bot's own client. */
export function startDigest(app: DigestApp, telegram: Telegram, opts: DigestScheduleOptions = {}): DigestScheduler {
  return startDigestScheduler({
    cron: app.config.digest.cron,
    timeZone: app.config.digest.timezone,
    deliver: deliverDigest(app, telegram, opts),
    log: app.log,
    retryDelaysMs: opts.retryDelaysMs,
    leaseMs: app.config.digest.leaseMs,
  });
}

/** A Bot API client for sending outside the bot process, with the bot's transport and retry policy. */
export function botApiClient(config: Pick<Config, 'telegramToken' | 'telegramApiRoot'>, log?: Logger): Telegram {
  if (!config.telegramToken) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  const telegram = new Telegram(config.telegramToken, config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {});
  prepareBotApi(telegram, log);
  return telegram;
}
