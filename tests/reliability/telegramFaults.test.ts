/**
 * Telegram misbehaving at the HTTP edge (emulator faults): dropped connections, 5xx, slow answers,
 * a failing getUpdates. The bot answers every request exactly once, polling recovers, and digest
 * sends queued behind a fault are neither lost nor doubled. (429, 403 and a long 502 outage are in
 * tests/bot/bot.test.ts and tests/bot/digest.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { telegramDigestTransport } from '../../src/bot/digest.ts';
import { createSendThrottle } from '../../src/bot/throttle.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import type { SqliteStore } from '../../src/data/sqlite/store.ts';
import { botApiClient, digestRunner } from '../../src/app/digest.ts';
import { servedIds } from '../support/appFixture.ts';
import { withEmulatedBot } from '../support/emulatedBot.ts';

const USER = 200;

const h = withEmulatedBot({ env: { ALLOWED_USER_IDS: '201,202,203' } });
const start = () => h.startBot({ allowed: [USER, 201, 202, 203] });

/** A served customer, picked once the harness has trained the app. */
let ID: number;
beforeAll(async () => {
  ID = (await servedIds(h.fx.app))[0];
});
const riskAnswers = (chat: number) => h.tg.sent(chat).filter((m) => (m.text ?? '').includes(String(ID)));

describe('answers survive Telegram faults', () => {
  it('a dropped connection, then a 500, on sendMessage: the answer arrives once', async () => {
    await start();
    h.tg.failNext('sendMessage', { resetConnection: true });
    h.tg.failNext('sendMessage', { status: 500 }, 1);
    h.tg.sendText(USER, `/risk ${ID}`);
    await h.tg.waitForMessage(USER, { match: (m) => m.photo !== undefined, timeoutMs: 20_000 });
    expect(riskAnswers(USER)).toHaveLength(1);
    const attempts = h.tg.calls.filter((c) => c.method === 'sendMessage');
    expect(attempts.filter((c) => c.ok)).toHaveLength(1);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  });

  it('a slow Telegram (answers after 1.5 s) delays, but does not lose or double the answer', async () => {
    await start();
    h.tg.failNext('sendMessage', { delayMs: 1500 });
    h.tg.sendText(USER, `/risk ${ID}`);
    await h.tg.waitForMessage(USER, { match: (m) => m.photo !== undefined, timeoutMs: 20_000 });
    expect(riskAnswers(USER)).toHaveLength(1);
  });

  it('getUpdates failing (502, then a reset) does not stop polling: the next message is answered', async () => {
    await start();
    await h.tg.waitForCall('getUpdates');
    h.tg.failNext('getUpdates', { status: 502 });
    h.tg.failNext('getUpdates', { resetConnection: true });
    await new Promise((r) => setTimeout(r, 200));
    h.tg.sendText(USER, `/risk ${ID}`);
    await h.tg.waitForMessage(USER, { match: (m) => m.photo !== undefined, timeoutMs: 30_000 });
    expect(riskAnswers(USER)).toHaveLength(1);
  });
});

describe('queued digest sends survive Telegram faults', () => {
  it('resets, 500s and slow answers mid-run: every chat gets the three parts once', async () => {
    const tg = await h.startEmulator();
    (h.fx.app.store as SqliteStore).db.exec('DELETE FROM digest_delivery; DELETE FROM digest_part; DELETE FROM digest_run; DELETE FROM digest_subscriber;');
    const chats = [201, 202, 203];
    for (const c of chats) {
      tg.createChat(c);
      await h.fx.app.store.subscribers.subscribe(c, c);
    }
    tg.failNext('sendPhoto', { resetConnection: true, match: (p) => p.chat_id === 201 });
    tg.failNext('sendDocument', { status: 500, match: (p) => p.chat_id === 202 }, 2);
    tg.failNext('sendMessage', { delayMs: 800, match: (p) => p.chat_id === 203 });
    const telegram = botApiClient({ telegramToken: tg.token, telegramApiRoot: tg.apiRoot });
    const runner = digestRunner(h.fx.app, telegramDigestTransport(telegram, createSendThrottle({ perSecond: 1000, perChatIntervalMs: 0 })));
    const report = await runner.deliver(periodFromKey('2026-W48'), { trigger: 'schedule' });
    expect(report.outcome).toBe('done');
    expect(report.counts.sent).toBe(3);
    for (const c of chats) {
      const got = tg.sent(c);
      expect(got.map((m) => (m.text ? 'text' : m.photo ? 'photo' : 'document'))).toEqual(['text', 'photo', 'document']);
    }
  });
});
