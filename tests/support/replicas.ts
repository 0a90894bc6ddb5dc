/**
 * `retention bot` replicas in webhook mode as real processes behind a test load balancer, all on
 * loopback: the emulator plays Telegram and POSTs each update to the balancer, which hands them
 * to the replicas in turn. The replicas share the store named by RETENTION_DB.
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { trainedApp, type Fixture } from './appFixture.ts';
import { startBotProcess, type BotProcess } from './botProcess.ts';
import { hasPostgres, startPostgres, type TestPostgres } from './postgres.ts';
import { startEmulator, type TelegramEmulator } from './telegramEmulator.ts';
import { startWebhookProxy, type WebhookProxy } from './webhookProxy.ts';

export const REPLICA_TOKEN = `987654321:AAH${'s3cret'.repeat(6)}`;
export const REPLICA_SECRET = `whsec_${'Q7'.repeat(20)}`;
export const WEBHOOK_PATH = '/telegram/webhook';

export interface ReplicaSet {
  tg: TelegramEmulator;
  proxy: WebhookProxy;
  replicas: BotProcess[];
  /** Each replica's own origin (bypassing the balancer). */
  origins: string[];
  /** Kills whatever still runs and closes Telegram and the balancer. */
  close(): Promise<void>;
}

export interface ReplicaOptions {
  /** The environment every replica shares (RETENTION_DB, ALLOWED_USER_IDS…). */
  env: Record<string, string>;
  webhook?: { timeoutMs: number; retryDelaysMs: number[] };
  /** Private chats that exist before the replicas start (a digest subscriber who started the bot long ago). */
  chats?: number[];
  /** Called before any replica starts: faults or held calls for what the replicas do first. */
  prepare?: (tg: TelegramEmulator) => void;
}

/** A replica's process with the webhook settings of the set; `env` overrides (a bad secret, say). */
export function startReplica(tg: TelegramEmulator, proxy: WebhookProxy, opts: ReplicaOptions, env: Record<string, string> = {}): BotProcess {
  return startBotProcess({
    TELEGRAM_BOT_TOKEN: REPLICA_TOKEN,
    TELEGRAM_API_ROOT: tg.apiRoot,
    WEBHOOK_URL: proxy.url(WEBHOOK_PATH),
    WEBHOOK_SECRET: REPLICA_SECRET,
    PORT: '0',
    ...opts.env,
    ...env,
  });
}

/** Puts the replicas behind the balancer once they listen, then waits until each has set the webhook. */
async function ready(replicas: BotProcess[], proxy: WebhookProxy, origins: string[]): Promise<void> {
  origins.push(...(await Promise.all(replicas.map(async (r) => `http://127.0.0.1:${(await r.logged('webhook server listening')).port}`))));
  proxy.setBackends([...origins]);
  await Promise.all(replicas.map((r) => r.logged('webhook set')));
}

/** Starts Telegram, the balancer and `n` replicas; resolves once every replica listens and has set the webhook. */
export async function startReplicas(n: number, opts: ReplicaOptions): Promise<ReplicaSet> {
  const tg = await startEmulator({ token: REPLICA_TOKEN, webhook: opts.webhook ?? { timeoutMs: 10_000, retryDelaysMs: [20, 50, 100, 200] } });
  for (const chat of opts.chats ?? []) tg.createChat(chat);
  opts.prepare?.(tg);
  const proxy = await startWebhookProxy();
  const replicas = Array.from({ length: n }, () => startReplica(tg, proxy, opts));
  const close = async () => {
    for (const r of replicas) if (!r.exited()) r.proc.kill('SIGKILL');
    await proxy.close();
    await tg.close();
  };
  try {
    const origins: string[] = [];
    await ready(replicas, proxy, origins);
    return { tg, proxy, replicas, origins, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Starts one more replica of `set` (a replica coming up later, or a restart); resolves once it
 * is ready, behind the balancer with the others. `close()` stops it too.
 */
export async function addReplica(set: ReplicaSet, opts: ReplicaOptions): Promise<BotProcess> {
  const replica = startReplica(set.tg, set.proxy, opts);
  set.replicas.push(replica);
  await ready([replica], set.proxy, set.origins);
  return replica;
}

/** A text message update as Telegram would POST it (a command gets its bot_command entity). */
export function textUpdate(updateId: number, chatId: number, text: string) {
  const user = { id: chatId, is_bot: false, first_name: 'Анна' };
  const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] : undefined;
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: 'Анна' }, from: user, text, entities },
  };
}

/** POSTs an update straight at a replica; resolves with the HTTP status. */
export const postUpdate = (url: string, body: unknown, secret?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body: JSON.stringify(body),
  }).then((r) => r.status);

/** What a suite on one engine gives its tests: the trained app on the shared store, and the set a test starts. */
export interface ReplicaSuite {
  engine: 'SQLite' | 'PostgreSQL';
  fx: Fixture;
  /** The set the test started: closed after the test. */
  set: ReplicaSet | undefined;
}

const ENGINES = [
  { name: 'SQLite', available: true, database: async () => ({}) },
  { name: 'PostgreSQL', available: hasPostgres, database: async (pg: TestPostgres) => ({ RETENTION_DB: await pg.createDatabase() }) },
] as const;

/**
 * The same tests once per store engine: SQLite (a file), PostgreSQL (a database of a throwaway
 * cluster started for the suite; skipped, with one line, where the binaries are missing). Each
 * suite trains an app on its store once; the replicas share that store through its RETENTION_DB.
 */
export function describeOnEachStore(title: (engine: string) => string, body: (suite: ReplicaSuite) => void): void {
  for (const engine of ENGINES) {
    describe.skipIf(!engine.available)(title(engine.name), () => {
      let cluster: TestPostgres | undefined;
      const suite = { engine: engine.name, set: undefined } as ReplicaSuite;
      beforeAll(async () => {
        if (engine.name === 'PostgreSQL') cluster = await startPostgres();
        suite.fx = await trainedApp({ env: await engine.database(cluster!) });
      }, 120_000);
      afterAll(async () => {
        await suite.fx?.dispose();
        await cluster?.stop();
      });
      afterEach(async () => {
        await suite.set?.close();
        suite.set = undefined;
      });
      body(suite);
    });
  }
}
