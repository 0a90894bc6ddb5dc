import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { botWiring } from '../../src/app/bot.ts';
import { createBot, registerCommands } from '../../src/bot/createBot.ts';
import { Telegram } from 'telegraf';
import { telegramDigestTransport } from '../../src/bot/digest.ts';
import { installRetry } from '../../src/bot/retry.ts';
import { createSendThrottle } from '../../src/bot/throttle.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import type { SqliteStore } from '../../src/data/sqlite/store.ts';
import { botApiClient, digestRunner, startDigest } from '../../src/app/digest.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { startEmulator, startPolling, type TelegramEmulator, type TgMessage } from '../support/telegramEmulator.ts';

let fx: Fixture;
let tg: TelegramEmulator;
let polling: { stop(): Promise<void> } | undefined;

const MANAGERS = [201, 202, 203];
const W48 = periodFromKey('2026-W48');
/** Telegram's limits would make each chat take 2 s; the throttle has its own test. */
const fastThrottle = () => createSendThrottle({ perSecond: 1000, perChatIntervalMs: 0 });

beforeAll(async () => {
  // Monday 00:00: whenever the test runs, this week's slot has passed and a catch-up is due.
  fx = await trainedApp({ env: { DIGEST_CRON: '0 0 * * 1', ALLOWED_USER_IDS: MANAGERS.join(',') } });
});
afterAll(async () => await fx?.dispose());

beforeEach(async () => {
  tg = await startEmulator();
  // Each test starts with no subscribers and no digest history.
  (fx.app.store as SqliteStore).db.exec('DELETE FROM digest_delivery; DELETE FROM digest_part; DELETE FROM digest_run; DELETE FROM digest_subscriber;');
});
afterEach(async () => {
  await polling?.stop();
  polling = undefined;
  await tg.close();
});

function runner() {
  const telegram = botApiClient({ telegramToken: tg.token, telegramApiRoot: tg.apiRoot });
  return digestRunner(fx.app, telegramDigestTransport(telegram, fastThrottle()));
}

/** Subscribers who once wrote to the bot: Telegram knows their chats. */
async function subscribe(...chats: number[]) {
  for (const id of chats) {
    tg.createChat(id);
    await fx.app.store.subscribers.subscribe(id, id);
  }
}

/** What a manager sees in the chat: the text, then the chart, then the CSV. */
async function expectFullDigest(messages: TgMessage[]) {
  expect(messages).toHaveLength(3);
  const [text, photo, doc] = messages;
  expect(text.text).toMatch(/^📬 Сводка по риску снижения покупок: 23–29 ноября 2026/);
  expect(text.text).toMatch(/Кому звонить первым/);
  expect(text.text!.length).toBeLessThanOrEqual(4096);
  expect(photo.photo?.length).toBeGreaterThan(0);
  expect(doc.document?.file_name).toBe('digest-2026-W48.csv');
  expect(doc.caption).toMatch(/Все в зоне высокого риска/);
  const csv = tg.file(doc.document!.file_id)!.content.toString('utf8');
  expect(csv.trim().split('\r\n')).toHaveLength((await fx.app.assistant.segment('at-risk')).size + 1);
}

describe('weekly digest through the Bot API emulator', () => {
  it('/subscribe and /unsubscribe manage the chat’s subscription and tell when the digest comes', async () => {
    const { deps } = botWiring(fx.app, {
      token: tg.token,
      apiRoot: tg.apiRoot,
      access: { allowed: new Set(MANAGERS), admins: new Set() },
      rateLimitPerMinute: 1000,
      uploads: false,
    });
    const { bot } = createBot(deps);
    await registerCommands(bot, fx.app.dialogue);
    polling = startPolling(bot);
    const menu = tg.myCommands() as { command: string; description: string }[];
    expect(menu.map((c) => c.command)).toEqual(expect.arrayContaining(['subscribe', 'unsubscribe']));

    tg.sendText(201, '/subscribe');
    const yes = await tg.waitForMessage(201);
    expect(yes.text).toMatch(/Вы подписаны на еженедельную сводку/);
    expect(yes.text).toMatch(/Следующая сводка — \S+, \d+ \S+ в \d\d:\d\d по Москве/);
    expect(await fx.app.store.subscribers.isSubscribed(201)).toBe(true);

    tg.sendText(201, '/subscribe');
    expect((await tg.waitForMessage(201)).text).toMatch(/уже подписаны/);
    tg.sendText(201, '/unsubscribe');
    expect((await tg.waitForMessage(201)).text).toMatch(/отписались/);
    expect(await fx.app.store.subscribers.isSubscribed(201)).toBe(false);
  });

  it('every subscriber receives the message, the chart and the CSV, once', async () => {
    await subscribe(...MANAGERS);
    const report = await runner().deliver(W48, { trigger: 'schedule' });
    expect(report).toMatchObject({ outcome: 'done', counts: { sent: 3 } });
    for (const id of MANAGERS) await expectFullDigest(tg.sent(id));
    const again = await runner().deliver(W48, { trigger: 'catch-up' });
    expect(again.outcome).toBe('already-done');
    for (const id of MANAGERS) expect(tg.sent(id)).toHaveLength(3);
  });

  it('a chat that blocked the bot (403) is unsubscribed; the others get the digest', async () => {
    await subscribe(...MANAGERS);
    tg.failNext('*', { status: 403, description: 'Forbidden: bot was blocked by the user', match: (p) => p.chat_id === 202 });
    const report = await runner().deliver(W48, { trigger: 'schedule' });
    expect(report.counts).toMatchObject({ sent: 2, blocked: 1 });
    expect(await fx.app.store.subscribers.isSubscribed(202)).toBe(false);
    expect((await fx.app.store.subscribers.active()).map((s) => s.chatId)).toEqual([201, 203]);
    expect(tg.sent(202)).toHaveLength(0);
    await expectFullDigest(tg.sent(201));
    await expectFullDigest(tg.sent(203));
  });

  it('a 429 is waited out and the part is sent once', async () => {
    await subscribe(201);
    tg.failNext('sendPhoto', { status: 429, retryAfter: 0.05 });
    const report = await runner().deliver(W48, { trigger: 'schedule' });
    expect(report.outcome).toBe('done');
    const photos = tg.calls.filter((c) => c.method === 'sendPhoto');
    expect(photos.map((c) => c.ok)).toEqual([false, true]);
    expect(photos[0].error?.error_code).toBe(429);
    await expectFullDigest(tg.sent(201));
  });

  it('an outage stops the run; the next trigger resumes where it stopped', async () => {
    await subscribe(...MANAGERS);
    // Two 502s in a row outlast a client that tries twice.
    tg.failNext('sendDocument', { status: 502, match: (p) => p.chat_id === 202 }, 2);
    const telegram = new Telegram(tg.token, { apiRoot: tg.apiRoot });
    installRetry(telegram, undefined, { maxAttempts: 2, baseDelayMs: 1, maxRetryAfterS: 1 });
    const first = digestRunner(fx.app, telegramDigestTransport(telegram, fastThrottle()), { concurrency: 1 });
    await expect(first.deliver(W48, { trigger: 'schedule' })).rejects.toThrow(/Bad Gateway/);
    expect(tg.sent(202)).toHaveLength(2);

    await runner().deliver(W48, { trigger: 'retry' });
    for (const id of MANAGERS) await expectFullDigest(tg.sent(id));
  });

  it('the schedule started with the bot catches up at start, once', async () => {
    await subscribe(201);
    const telegram = botApiClient({ telegramToken: tg.token, telegramApiRoot: tg.apiRoot });
    const first = startDigest(fx.app, telegram, { throttle: fastThrottle() });
    await first.caughtUp;
    await first.stop();
    expect(tg.sent(201)).toHaveLength(3);

    const restarted = startDigest(fx.app, telegram, { throttle: fastThrottle() });
    await restarted.caughtUp;
    await restarted.stop();
    expect(tg.sent(201)).toHaveLength(3);
  });
});
