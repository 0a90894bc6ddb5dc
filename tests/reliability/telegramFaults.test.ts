/**
 * Telegram misbehaving at the HTTP edge (emulator faults): dropped connections, 5xx, slow answers,
 * a failing getUpdates. The bot answers every request exactly once, polling recovers, and digest
 * sends queued behind a fault are neither lost nor doubled. (429, 403 and a long 502 outage are in
 * tests/bot/bot.test.ts and tests/bot/digest.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/createBot.ts';
import { telegramDigestTransport } from '../../src/bot/digest.ts';
import { createSendThrottle } from '../../src/bot/throttle.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import type { SqliteStore } from '../../src/data/sqlite/store.ts';
import { botApiClient, digestRunner } from '../../src/digest.ts';
import { REAL_DIR, trainedApp, type Fixture } from '../support/appFixture.ts';
import { startEmulator, startPolling, type TelegramEmulator } from '../support/telegramEmulator.ts';

let fx: Fixture;
let tg: TelegramEmulator;
let polling: { stop(): Promise<void> } | undefined;
const USER = 200;

beforeAll(async () => {
  fx = await trainedApp({ dataDir: REAL_DIR });
});
afterAll(() => fx?.dispose());
afterEach(async () => {
  await polling?.stop();
  polling = undefined;
  await tg?.close();
});

async function start() {
  tg = await startEmulator();
  const { bot } = createBot({
    token: tg.token,
    apiRoot: tg.apiRoot,
    conversation: fx.app.conversation,
    access: { allowed: new Set([USER, 201, 202, 203]), admins: new Set() },
    rateLimitPerMinute: 1000,
    log: fx.app.log,
  });
  polling = startPolling(bot);
}

const riskAnswers = (chat: number) => tg.sent(chat).filter((m) => /215349/.test(m.text ?? ''));

describe('answers survive Telegram faults', () => {
  it('a dropped connection, then a 500, on sendMessage: the answer arrives once', async () => {
    await start();
    tg.failNext('sendMessage', { resetConnection: true });
    tg.failNext('sendMessage', { status: 500 }, 1);
    tg.sendText(USER, '/risk 215349');
    await tg.waitForMessage(USER, { match: (m) => m.photo !== undefined, timeoutMs: 20_000 });
    expect(riskAnswers(USER)).toHaveLength(1);
    const attempts = tg.calls.filter((c) => c.method === 'sendMessage');
    expect(attempts.filter((c) => c.ok)).toHaveLength(1);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  });

  it('a slow Telegram (answers after 1.5 s) delays, but does not lose or double the answer', async () => {
    await start();
    tg.failNext('sendMessage', { delayMs: 1500 });
    tg.sendText(USER, '/risk 215349');
    await tg.waitForMessage(USER, { match: (m) => m.photo !== undefined, timeoutMs: 20_000 });
    expect(riskAnswers(USER)).toHaveLength(1);
  });

  it('getUpdates failing (502, then a reset) does not stop polling: the next message is answered', async () => {
    await start();
    await tg.waitForCall('getUpdates');
    tg.failNext('getUpdates', { status: 502 });
    tg.failNext('getUpdates', { resetConnection: true });
    await new Promise((r) => setTimeout(r, 200));
    tg.sendText(USER, '/risk 215349');
    await tg.waitForMessage(USER, { match: (m) => m.photo !== undefined, timeoutMs: 30_000 });
    expect(riskAnswers(USER)).toHaveLength(1);
  });
});

describe('queued digest sends survive Telegram faults', () => {
  it('resets, 500s and slow answers mid-run: every chat gets the three parts once', async () => {
    tg = await startEmulator();
    (fx.app.store as SqliteStore).db.exec('DELETE FROM digest_delivery; DELETE FROM digest_part; DELETE FROM digest_run; DELETE FROM digest_subscriber;');
    const chats = [201, 202, 203];
    for (const c of chats) fx.app.store.subscribers.subscribe(c, c);
    tg.failNext('sendPhoto', { resetConnection: true, match: (p) => p.chat_id === 201 });
    tg.failNext('sendDocument', { status: 500, match: (p) => p.chat_id === 202 }, 2);
    tg.failNext('sendMessage', { delayMs: 800, match: (p) => p.chat_id === 203 });
    const telegram = botApiClient({ telegramToken: tg.token, telegramApiRoot: tg.apiRoot });
    const runner = digestRunner(fx.app, telegramDigestTransport(telegram, createSendThrottle({ perSecond: 1000, perChatIntervalMs: 0 })));
    const report = await runner.deliver(periodFromKey('2026-W48'), { trigger: 'schedule' });
    expect(report.outcome).toBe('done');
    expect(report.counts.sent).toBe(3);
    for (const c of chats) {
      const got = tg.sent(c);
      expect(got.map((m) => (m.text ? 'text' : m.photo ? 'photo' : 'document'))).toEqual(['text', 'photo', 'document']);
    }
  });
});
