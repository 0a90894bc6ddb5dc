/**
 * Webhook mode in process: the real bot behind its HTTP handler, Telegram played by the emulator
 * (which POSTs updates through a test load balancer), everything on loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/app.ts';
import { botWiring } from '../../src/app/bot.ts';
import { storeHealth } from '../../src/app/webhook.ts';
import { createBot, type RunningBot } from '../../src/bot/createBot.ts';
import { ALLOWED_UPDATES, listenForUpdates, setWebhookInBackground, type WebhookServer } from '../../src/bot/webhook.ts';
import { createWebhookHandler, type WebhookHandlerOptions } from '../../src/bot/webhookHandler.ts';
import { loadConfig } from '../../src/config.ts';
import type { UpdateClaims } from '../../src/core/ports.ts';
import { createLogger } from '../../src/logger.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { startEmulator, type TelegramEmulator } from '../support/telegramEmulator.ts';
import { startWebhookProxy, type WebhookProxy } from '../support/webhookProxy.ts';

const MANAGER = 200;
const SECRET = 'Webhook_Secret-0123456789abcdefghijKLMN';
const PATH = '/tg/webhook';
const HEALTH = '/healthz';

let fx: Fixture;
let tg: TelegramEmulator | undefined;
let proxy: WebhookProxy | undefined;
let server: WebhookServer | undefined;
let running: RunningBot | undefined;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(async () => await fx?.dispose());
// Every emulator numbers its updates from 1: forget the claims of the previous test.
beforeEach(() => fx.app.store.updateClaims.prune('9999-12-31T00:00:00.000Z'));
afterEach(async () => {
  await server?.close();
  await running?.idle();
  await proxy?.close();
  await tg?.close();
  for (const close of closers.splice(0)) await close();
  server = running = proxy = tg = undefined;
});

/** The bot serving its webhook on a free port, behind the proxy whose URL Telegram (the emulator) was given. */
async function startWebhookBot(opts: { claims?: UpdateClaims } = {}): Promise<string> {
  tg = await startEmulator({ webhook: { timeoutMs: 5_000, retryDelaysMs: [10, 10, 10] } });
  proxy = await startWebhookProxy();
  const { deps } = botWiring(fx.app, {
    token: tg.token,
    apiRoot: tg.apiRoot,
    access: { allowed: new Set([MANAGER]), admins: new Set() },
    rateLimitPerMinute: 1000,
    uploads: false,
  });
  running = createBot(deps);
  server = await listenForUpdates(running.bot, {
    path: PATH,
    healthPath: HEALTH,
    secret: SECRET,
    port: 0,
    claims: opts.claims ?? fx.app.store.updateClaims,
    owner: 'test',
    health: async () => await storeHealth(fx.app.store),
    log: fx.app.log,
  });
  const origin = `http://127.0.0.1:${server.port}`;
  proxy.setBackends([origin]);
  expect(await setWebhookInBackground(running.bot, { url: proxy.url(PATH), secret: SECRET, log: fx.app.log })).toBe(true);
  return origin;
}

/** What Telegram would POST for a manager's message; the chat exists in the emulator so the bot can answer. */
function textUpdate(updateId: number, text: string) {
  tg!.createChat(MANAGER);
  const user = { id: MANAGER, is_bot: false, first_name: 'Анна' };
  const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] : undefined;
  return { update_id: updateId, message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: MANAGER, type: 'private', first_name: 'Анна' }, from: user, text, entities } };
}

async function post(url: string, body: string | object, headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET }) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const replies = () => tg!.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === MANAGER);

describe('webhook mode through the emulator', () => {
  it('answers /start delivered by webhook; the webhook is set with the secret and the update kinds the bot handles', async () => {
    await startWebhookBot();
    tg!.sendText(MANAGER, '/start');
    const reply = await tg!.waitForMessage(MANAGER);
    expect(reply.text).toMatch(/Здравствуйте/);
    await tg!.waitUntilProcessed();
    expect(tg!.webhookAttempts.map((a) => a.status)).toEqual([200]);
    const set = tg!.calls.find((c) => c.method === 'setWebhook')!;
    expect(set.params).toMatchObject({ url: proxy!.url(PATH), secret_token: SECRET, allowed_updates: [...ALLOWED_UPDATES], max_connections: 1 });
    expect(ALLOWED_UPDATES).toEqual(expect.arrayContaining(['message', 'callback_query', 'my_chat_member', 'channel_post']));
  });

  it('refuses a wrong or missing secret with 401 and does nothing; Telegram’s own delivery of that update is then handled', async () => {
    const origin = await startWebhookBot();
    const update = textUpdate(500, '/start');
    const wrong = SECRET.replace(/.$/, 'x'); // same length, last character differs
    const audited = await fx.app.store.audit.recent(1);
    const refused: Record<string, string>[] = [{}, { 'x-telegram-bot-api-secret-token': wrong }, { 'x-telegram-bot-api-secret-token': '' }];
    for (const headers of refused) {
      expect((await post(origin + PATH, update, headers)).status).toBe(401);
    }
    await running!.idle();
    expect(replies()).toHaveLength(0);
    expect(await fx.app.store.audit.recent(1)).toEqual(audited);

    // Nothing was claimed either: the genuine delivery of update 500 is answered.
    expect((await post(origin + PATH, update)).status).toBe(200);
    expect((await tg!.waitForMessage(MANAGER)).text).toMatch(/Здравствуйте/);
    expect(fx.logs.join('\n')).not.toContain(SECRET);
  });

  it('answers 404, 405, 413 and 400 without handling anything, and goes on serving', async () => {
    const origin = await startWebhookBot();
    expect((await post(`${origin}/other`, textUpdate(1, '/start'))).status).toBe(404);
    expect((await fetch(origin + PATH)).status).toBe(405);
    expect((await post(origin + PATH, { update_id: 2, message: { text: 'x'.repeat(1024 * 1024) } })).status).toBe(413);
    expect((await post(origin + PATH, '{"update_id": 3, "message": ')).status).toBe(400);
    expect((await post(origin + PATH, '[1, 2]')).status).toBe(400);
    expect((await post(origin + PATH, { update_id: -1 })).status).toBe(400);
    expect((await post(origin + PATH, { message: {} })).status).toBe(400);
    await running!.idle();
    expect(replies()).toHaveLength(0);

    expect((await post(origin + PATH, textUpdate(4, '/start'))).status).toBe(200);
    expect((await tg!.waitForMessage(MANAGER)).text).toMatch(/Здравствуйте/);
  });

  it('answers the same update POSTed twice once; both POSTs get 200', async () => {
    const origin = await startWebhookBot();
    const update = textUpdate(700, '/help');
    const [a, b] = await Promise.all([post(origin + PATH, update), post(origin + PATH, update)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await running!.idle();
    expect(replies()).toHaveLength(1);
  });

  it('a re-delivery after a lost answer (the proxy told Telegram 502) is acknowledged and not handled again', async () => {
    await startWebhookBot();
    proxy!.failAfterForwarding(1);
    tg!.sendText(MANAGER, '/start');
    await tg!.waitUntilProcessed(); // Telegram's view: delivered on the second try
    await running!.idle();
    expect(tg!.webhookAttempts.map((a) => [a.updateId, a.status])).toEqual([[1, 502], [1, 200]]);
    expect(proxy!.forwarded.map((f) => f.status)).toEqual([200, 200]); // the bot got it twice
    expect(replies()).toHaveLength(1);
  });

  it('close() answers the request in flight before it resolves', async () => {
    let release!: () => void;
    let arrived!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const claiming = new Promise<void>((resolve) => (arrived = resolve));
    const real = fx.app.store.updateClaims;
    const slow: UpdateClaims = {
      claim: async (...args) => {
        arrived();
        await gate;
        return real.claim(...args);
      },
      waitsFor: (...args) => real.waitsFor(...args),
      done: (...args) => real.done(...args),
      prune: (before) => real.prune(before),
    };
    const origin = await startWebhookBot({ claims: slow });
    const inFlight = post(origin + PATH, textUpdate(800, '/start'));
    await claiming;
    const closing = server!.close();
    server = undefined;
    release();
    expect((await inFlight).status).toBe(200);
    await closing;
    await running!.idle();
    expect(replies()).toHaveLength(1);
  });

  it('GET /healthz is 200 with the store up and the active model', async () => {
    const origin = await startWebhookBot();
    const res = await fetch(origin + HEALTH);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', store: 'up', model: (await fx.app.assistant.modelInfo()).model.version });
    expect((await fetch(origin + HEALTH, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('webhook handler edge cases', () => {
  /** The handler alone on a free port, with a bot that only records what reached it. */
  async function serveHandler(overrides: Partial<WebhookHandlerOptions>) {
    const handled: number[] = [];
    const handler = createWebhookHandler({
      path: PATH,
      healthPath: HEALTH,
      secret: SECRET,
      claims: fx.app.store.updateClaims,
      owner: 'test',
      handleUpdate: async (u) => void handled.push(u.update_id),
      health: async () => await storeHealth(fx.app.store),
      log: fx.app.log,
      ...overrides,
    });
    const srv = http.createServer(handler.handle);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise((resolve) => (srv.close(resolve), srv.closeAllConnections())));
    return { origin: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, handler, handled };
  }

  it('/healthz is 503 without an active model, and 503 once the store is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'health-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const empty = await buildApp(loadConfig({ RETENTION_DB: join(dir, 'empty.db'), CHART_OUT_DIR: dir }), createLogger(() => {}));
    const { origin } = await serveHandler({ health: async () => await storeHealth(empty.store) });

    const noModel = await fetch(origin + HEALTH);
    expect(noModel.status).toBe(503);
    expect(await noModel.json()).toEqual({ status: 'unavailable', store: 'up', model: null });
    await empty.close();
    const closed = await fetch(origin + HEALTH);
    expect(closed.status).toBe(503);
    expect(await closed.json()).toEqual({ status: 'unavailable', store: 'down', model: null });
  });

  it('an update that arrives once shutdown began gets 503 and is not claimed, so Telegram re-delivers it elsewhere', async () => {
    const { origin, handler, handled } = await serveHandler({});
    handler.stopAccepting();
    expect((await post(origin + PATH, { update_id: 900, message: {} })).status).toBe(503);
    expect(handled).toEqual([]);
    expect(await fx.app.store.updateClaims.claim(900, 'other replica', '9999-01-01T00:00:00.000Z', new Date().toISOString())).toBe(true);
  });

  it('a body over the limit is 413 even when it comes chunked, without a content-length', async () => {
    const { origin, handled } = await serveHandler({ maxBodyBytes: 100 });
    const chunk = new TextEncoder().encode(`{"update_id": 902, "pad": "${'x'.repeat(80)}`);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const res = await fetch(origin + PATH, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(handled).toEqual([]);
  });

  it('a health check that throws reports the store down', async () => {
    const { origin } = await serveHandler({ health: () => { throw new Error('disk I/O error'); } });
    const res = await fetch(origin + HEALTH);
    expect([res.status, await res.json()]).toEqual([503, { status: 'unavailable', store: 'down', model: null }]);
  });

  it('a claim the store cannot record gets 503, not 200: the update is neither lost nor handled twice', async () => {
    const failing: UpdateClaims = {
      claim: () => Promise.reject(new Error('database is locked')),
      waitsFor: async () => false,
      done: async () => {},
      prune: async () => 0,
    };
    const { origin, handled } = await serveHandler({ claims: failing });
    expect((await post(origin + PATH, { update_id: 901, message: {} })).status).toBe(503);
    expect(handled).toEqual([]);
  });
});
