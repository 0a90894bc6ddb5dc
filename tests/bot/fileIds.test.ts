/**
 * Bytes already uploaded are sent again by Telegram's file_id: the digest's chart and CSV go up
 * once, not once per subscriber, and a chart asked for twice is not uploaded twice. A file_id
 * Telegram no longer knows falls back to uploading the bytes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { botApiClient, digestRunner } from '../../src/app/digest.ts';
import { botWiring } from '../../src/app/bot.ts';
import type { CachingChartRenderer } from '../../src/app/charts/cache.ts';
import { createBot } from '../../src/bot/createBot.ts';
import { telegramDigestTransport } from '../../src/bot/digest.ts';
import { sendReply } from '../../src/bot/send.ts';
import { createSendThrottle } from '../../src/bot/throttle.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import type { SqliteStore } from '../../src/data/index.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { startEmulator, startPolling, tinyPng, type ApiCall, type TelegramEmulator } from '../support/telegramEmulator.ts';

let fx: Fixture;
let tg: TelegramEmulator;
const W48 = periodFromKey('2026-W48');
const MANAGERS = [301, 302, 303];

beforeAll(async () => {
  fx = await trainedApp({ env: { ALLOWED_USER_IDS: MANAGERS.join(',') } });
});
afterAll(async () => await fx?.dispose());
beforeEach(async () => {
  tg = await startEmulator();
  (fx.app.store as SqliteStore).db.exec('DELETE FROM digest_delivery; DELETE FROM digest_part; DELETE FROM digest_run; DELETE FROM digest_subscriber;');
});
afterEach(() => tg.close());

const mediaCalls = (method: string) => tg.calls.filter((c) => c.method === method && c.ok);
const uploaded = (c: ApiCall) => Object.keys(c.files).length > 0;

function deliver() {
  const telegram = botApiClient({ telegramToken: tg.token, telegramApiRoot: tg.apiRoot });
  return digestRunner(fx.app, telegramDigestTransport(telegram, createSendThrottle({ perSecond: 1000, perChatIntervalMs: 0 }))).deliver(W48, {
    trigger: 'schedule',
  });
}

describe('file_id reuse', () => {
  it('the digest uploads its chart and CSV for the first chat only; the others get the file_id', async () => {
    for (const id of MANAGERS) {
      tg.createChat(id);
      await fx.app.store.subscribers.subscribe(id, id);
    }
    expect((await deliver()).counts.sent).toBe(3);
    for (const method of ['sendPhoto', 'sendDocument']) {
      const calls = mediaCalls(method);
      // The digest goes out to chats in its own order; each gets the file once, and only the first upload carries bytes.
      expect(calls.map((c) => c.params.chat_id).sort()).toEqual(MANAGERS);
      expect(calls.map(uploaded)).toEqual([true, false, false]);
      const field = method === 'sendPhoto' ? 'photo' : 'document';
      const first = calls[0].result as Record<string, { file_id: string } | { file_id: string }[]>;
      const id = method === 'sendPhoto' ? (first.photo as { file_id: string }[]).at(-1)!.file_id : (first.document as { file_id: string }).file_id;
      expect(calls.slice(1).map((c) => c.params[field])).toEqual([id, id]);
    }
    // Every chat still has the same file.
    const docs = MANAGERS.map((chat) => tg.sent(chat).find((m) => m.document)!.document!.file_id);
    expect(new Set(docs.map((d) => tg.file(d)!.content.length)).size).toBe(1);
  });

  it('a chart asked for again (from another chat) is neither drawn nor uploaded again', async () => {
    const { deps } = botWiring(fx.app, {
      token: tg.token,
      apiRoot: tg.apiRoot,
      access: { allowed: new Set([401, 402]), admins: new Set() },
      rateLimitPerMinute: 1000,
      uploads: false,
    });
    const polling = startPolling(createBot(deps).bot);
    try {
      const id = (await fx.app.assistant.segment('at-risk', { members: 1 })).members[0].customer.id;
      const charts = fx.app.charts as CachingChartRenderer;
      const drawn = charts.drawn;
      for (const chat of [401, 402]) {
        tg.sendText(chat, `/risk ${id}`);
        await tg.waitForCall((c) => c.method === 'sendPhoto' && c.params.chat_id === chat);
      }
      const photos = mediaCalls('sendPhoto');
      expect(photos.map(uploaded)).toEqual([true, false]);
      expect(charts.drawn).toBe(drawn + 1);
    } finally {
      await polling.stop();
    }
  });

  it('a file_id the server refuses is forgotten and the bytes are uploaded again', async () => {
    const png = tinyPng();
    const telegram = botApiClient({ telegramToken: tg.token, telegramApiRoot: tg.apiRoot });
    for (const chat of [501, 502, 503]) tg.createChat(chat);
    await sendReply(telegram, 501, { type: 'photo', png, fileName: 'a.png' });
    tg.failNext('sendPhoto', { status: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified', match: (p) => typeof p.photo === 'string' });
    await sendReply(telegram, 502, { type: 'photo', png, fileName: 'a.png' });
    await sendReply(telegram, 503, { type: 'photo', png, fileName: 'a.png' });
    const calls = tg.calls.filter((c) => c.method === 'sendPhoto');
    expect(calls.map((c) => [c.params.chat_id, uploaded(c), c.ok])).toEqual([
      [501, true, true],
      [502, false, false],
      [502, true, true],
      [503, false, true],
    ]);
  });
});
