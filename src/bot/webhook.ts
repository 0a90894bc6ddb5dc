/**
 * Serving updates over HTTP instead of long polling, for replicas behind one load balancer:
 * start without losing an update, stop without dropping one that was acknowledged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, Telegraf } from 'telegraf';
import type { Logger } from '../core/ports.ts';
import { retryInBackground } from './startup.ts';
import { createWebhookHandler, type WebhookHandlerOptions } from './webhookHandler.ts';

/** The update kinds the bot handles; Telegram sends no others. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member', 'channel_post'] as const;

const PRUNE_EVERY_MS = 60 * 60_000;

export interface WebhookServeOptions extends Omit<WebhookHandlerOptions, 'handleUpdate'> {
  /** The public URL given to setWebhook: the load balancer's, the same for every replica. */
  url: string;
  port: number;
  log: Logger;
  /** Aborted when shutdown begins: stops the setWebhook retries. */
  signal?: AbortSignal;
  /** Waits between setWebhook attempts (default: startup.ts's). */
  setWebhookDelaysMs?: readonly number[];
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The URL without its query, for the log (a token-shaped path is masked by the logger). */
const shown = (url: string) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

export interface WebhookServer {
  port: number;
  /** Rejects if the server fails after it started listening. */
  failed: Promise<never>;
  /** Stops accepting (late updates get 503, so Telegram re-delivers them elsewhere) and resolves once every request is answered. */
  close(): Promise<void>;
}

/**
 * Listens for updates on `port` (0: any free port). getMe and binding the port are fatal: a wrong
 * token or a port in use stop the start. Expired update claims are pruned hourly.
 */
export async function listenForUpdates(bot: Telegraf<Context>, opts: Omit<WebhookServeOptions, 'url'>): Promise<WebhookServer> {
  const { log } = opts;
  bot.botInfo ??= await bot.telegram.getMe();
  const handler = createWebhookHandler({ ...opts, handleUpdate: (update) => bot.handleUpdate(update) });
  const server = http.createServer(handler.handle);
  server.keepAliveTimeout = 65_000; // longer than a load balancer's idle timeout, so it closes first
  server.headersTimeout = 66_000; // above keepAliveTimeout, or Node may drop a reused socket early
  const port = await listen(server, opts.port);
  log.info('webhook server listening', { port, path: opts.path, health: opts.healthPath });
  const prune = () =>
    opts.claims.prune(new Date().toISOString()).catch((err: Error) => log.warn('update claims prune failed', { error: err.message }));
  void prune();
  const pruning = setInterval(prune, PRUNE_EVERY_MS).unref();
  return {
    port,
    failed: new Promise<never>((_, reject) => server.on('error', reject)),
    async close() {
      clearInterval(pruning);
      handler.stopAccepting();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await handler.settled();
      // Every request is answered: what is left are idle keep-alive sockets and late arrivals told 503.
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * Serves the webhook until `stop` resolves, then stops accepting and resolves once every request
 * is answered; the caller drains the chat queues. setWebhook is retried in the background, and
 * until it succeeds Telegram delivers nothing here unless another replica set the same URL. The
 * webhook is never deleted on the way out: the other replicas, or this one restarted, keep
 * receiving. Rejects if the server fails.
 */
export async function serveWebhookUntil(bot: Telegraf<Context>, stop: Promise<unknown>, opts: WebhookServeOptions): Promise<void> {
  const server = await listenForUpdates(bot, opts);
  void setWebhookInBackground(bot, opts);
  try {
    await Promise.race([stop, server.failed]);
  } finally {
    await server.close();
  }
}

/** Updates Telegram may have in flight to the webhook at once (see setWebhookInBackground). */
export const WEBHOOK_MAX_CONNECTIONS = 1;

/** setWebhook with the secret and the update kinds, retried like the other start-up calls; resolves with whether it succeeded. */
export async function setWebhookInBackground(
  bot: Telegraf<Context>,
  opts: Pick<WebhookServeOptions, 'url' | 'secret' | 'log' | 'signal' | 'setWebhookDelaysMs'>,
): Promise<boolean> {
  const { log } = opts;
  let attempts = 0;
  const set = async () => {
    try {
      await bot.telegram.setWebhook(opts.url, {
        secret_token: opts.secret,
        // One update at a time: Telegram sends the next only after this one's 200, which comes as
        // soon as it is claimed and queued (milliseconds), so updates are claimed in order and the
        // per-chat order across replicas (src/bot/updateOrder.ts) sees every earlier update. With
        // Telegram's default of 40, a chat's next message could be claimed before the previous one.
        max_connections: WEBHOOK_MAX_CONNECTIONS,
        allowed_updates: [...ALLOWED_UPDATES],
        drop_pending_updates: false,
      });
    } catch (err) {
      if (attempts++ === 0) log.error('webhook not set: no updates arrive until setWebhook succeeds (retrying)', { url: shown(opts.url) });
      throw err;
    }
  };
  const ok = await retryInBackground('setWebhook', set, { log, signal: opts.signal, delaysMs: opts.setWebhookDelaysMs });
  if (ok) log.info('webhook set', { url: shown(opts.url) });
  else if (!opts.signal?.aborted) {
    log.error('webhook not set, gave up: Telegram delivers no updates to this URL; check WEBHOOK_URL and restart', { url: shown(opts.url) });
  }
  return ok;
}
