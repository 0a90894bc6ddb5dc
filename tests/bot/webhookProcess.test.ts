/**
 * `retention bot` in webhook mode as real processes: the emulator plays Telegram and POSTs updates
 * to a test load balancer in front of one or two replicas on the same SQLite file, all on loopback.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { startBotProcess, type BotProcess } from '../support/botProcess.ts';
import { startEmulator, type TelegramEmulator } from '../support/telegramEmulator.ts';
import { startWebhookProxy, type WebhookProxy } from '../support/webhookProxy.ts';

const MANAGER = 200;
const TOKEN = `987654321:AAH${'s3cret'.repeat(6)}`;
const SECRET = `whsec_${'Q7'.repeat(20)}`;
const PATH = '/telegram/webhook';

let fx: Fixture;
let tg: TelegramEmulator | undefined;
let proxy: WebhookProxy | undefined;
const bots: BotProcess[] = [];

beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(async () => await fx?.dispose());
// Every emulator numbers its updates from 1: forget the claims of the previous test.
beforeEach(() => fx.app.store.updateClaims.prune('9999-12-31T00:00:00.000Z'));
afterEach(async () => {
  for (const b of bots.splice(0)) if (!b.exited()) b.proc.kill('SIGKILL');
  await proxy?.close();
  await tg?.close();
  proxy = tg = undefined;
});

function startReplica(env: Record<string, string> = {}): BotProcess {
  const bot = startBotProcess({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: tg!.apiRoot,
    RETENTION_DB: fx.app.config.dbPath,
    CHART_OUT_DIR: join(fx.dir, 'charts'),
    ALLOWED_USER_IDS: String(MANAGER),
    WEBHOOK_URL: proxy!.url(PATH),
    WEBHOOK_SECRET: SECRET,
    PORT: '0',
    ...env,
  });
  bots.push(bot);
  return bot;
}

/** Starts Telegram, the load balancer and `n` replicas behind it; resolves with each replica's origin once all listen. */
async function startReplicas(n: number): Promise<{ replicas: BotProcess[]; origins: string[] }> {
  tg = await startEmulator({ token: TOKEN, webhook: { timeoutMs: 10_000, retryDelaysMs: [20, 50, 100, 200] } });
  proxy = await startWebhookProxy();
  const replicas = Array.from({ length: n }, () => startReplica());
  const origins = await Promise.all(replicas.map(async (r) => `http://127.0.0.1:${(await r.logged('webhook server listening')).port}`));
  proxy.setBackends(origins);
  await Promise.all(replicas.map((r) => r.logged('webhook set')));
  return { replicas, origins };
}

function update(updateId: number, text: string) {
  const user = { id: MANAGER, is_bot: false, first_name: 'Анна' };
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: MANAGER, type: 'private', first_name: 'Анна' }, from: user, text, entities: [{ type: 'bot_command', offset: 0, length: text.length }] },
  };
}

const post = (url: string, body: unknown, secret?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body: JSON.stringify(body),
  }).then((r) => r.status);

const greetings = () => tg!.calls.filter((c) => c.method === 'sendMessage' && /Здравствуйте/.test(String(c.params.text)));
const audited = async (action: string, since: string) => (await fx.app.store.audit.recent(1000)).filter((e) => e.action === action && e.at >= since);

it('refuses to start with WEBHOOK_URL but a short secret, in one line that does not show it, before any Bot API call', async () => {
  tg = await startEmulator({ token: TOKEN });
  proxy = await startWebhookProxy();
  const bot = startReplica({ WEBHOOK_SECRET: 'too-short-secret' });
  const started = bot.logged('bot started').then(() => 'started', () => 'exited');
  expect(await Promise.race([bot.exit, started])).not.toBe('started');
  expect(await bot.exit).not.toBe(0);
  const lines = bot.out.stderr.trim().split('\n');
  expect(lines).toEqual([expect.stringMatching(/^invalid configuration: WEBHOOK_SECRET: must be 32 to 256 characters/)]);
  expect(bot.out.stderr).not.toContain('too-short-secret');
  expect(tg.calls).toHaveLength(0);
});

it('answers /start delivered by webhook, refuses a bad or missing secret with 401, reports /healthz, never logs secrets', async () => {
  const { replicas: [bot], origins: [origin] } = await startReplicas(1);
  tg!.sendText(MANAGER, '/start');
  expect((await tg!.waitForMessage(MANAGER)).text).toMatch(/Здравствуйте/);
  const set = tg!.calls.find((c) => c.method === 'setWebhook')!;
  expect(set.params).toMatchObject({ url: proxy!.url(PATH), secret_token: SECRET });
  expect(tg!.calls.some((c) => c.method === 'getUpdates' || c.method === 'deleteWebhook')).toBe(false);

  const since = new Date().toISOString();
  expect(await post(origin + PATH, update(5000, '/help'))).toBe(401);
  expect(await post(origin + PATH, update(5001, '/help'), SECRET.toLowerCase())).toBe(401);
  const health = await fetch(`${origin}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', store: 'up', model: (await fx.app.assistant.modelInfo()).model.version });

  bot.proc.kill('SIGTERM');
  expect(await bot.exit).toBe(0);
  expect((await audited('/help', since))).toEqual([]); // drained on the way out: nothing was queued
  expect(bot.out.stderr).toMatch(/"msg":"webhook request refused: wrong or missing secret"/);
  expect(bot.out.stderr).not.toContain(SECRET);
  expect(bot.out.stderr).not.toContain('s3cret');
});

it('SIGTERM in webhook mode finishes the reply in flight and the update queued behind it, then exits with 0', async () => {
  const { replicas: [bot] } = await startReplicas(1);
  tg!.failNext('sendMessage', { delayMs: 1000 }); // the reply is still in flight when the signal arrives
  tg!.sendText(MANAGER, '/start');
  tg!.sendText(MANAGER, '/model'); // acknowledged, waiting in the chat's queue; it needs the store
  await tg!.waitUntilProcessed();
  await bot.until('replying', () => tg!.calls.some((c) => c.method === 'sendMessage'));
  bot.proc.kill('SIGTERM');

  expect(await bot.exit).toBe(0);
  const sent = tg!.calls.filter((c) => c.method === 'sendMessage');
  expect(sent.map((c) => c.ok)).toEqual([true, true]);
  expect(String(sent[0].params.text)).toMatch(/Здравствуйте/);
  expect(String(sent[1].params.text)).not.toMatch(/Что-то пошло не так/); // answered before the store closed
  expect(tg!.webhookAttempts.map((a) => a.status)).toEqual([200, 200]);
  expect(tg!.calls.some((c) => c.method === 'deleteWebhook')).toBe(false); // the other replicas keep receiving
  expect(bot.out.stderr).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
  expect(bot.out.stderr).toMatch(/"msg":"bot stopped"/);
});

it('two replicas on one SQLite file behind one URL answer each update exactly once, re-deliveries and duplicates included', async () => {
  const since = new Date().toISOString();
  const { replicas, origins } = await startReplicas(2);

  // The first replica takes /start, but its answer is lost on the way back: Telegram delivers it again, to the second.
  proxy!.failAfterForwarding(1);
  tg!.sendText(MANAGER, '/start');
  await tg!.waitUntilProcessed();
  expect(tg!.webhookAttempts.map((a) => a.status)).toEqual([502, 200]);
  expect(proxy!.forwarded.map((f) => [f.backend, f.status])).toEqual([[origins[0], 200], [origins[1], 200]]);

  // The same update straight at both replicas at once.
  const statuses = await Promise.all(origins.map((o) => post(o + PATH, update(9000, '/help'), SECRET)));
  expect(statuses).toEqual([200, 200]);

  for (const r of replicas) r.proc.kill('SIGTERM');
  expect(await Promise.all(replicas.map((r) => r.exit))).toEqual([0, 0]); // both drained their queues
  expect(greetings()).toHaveLength(1);
  expect((await audited('/start', since))).toHaveLength(1);
  expect((await audited('/help', since))).toHaveLength(1);
  const replies = tg!.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === MANAGER);
  expect(replies).toHaveLength(2);
});
