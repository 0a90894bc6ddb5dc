/**
 * A later photo (a /risk chart) never holds its card back: in a burst every card is asked for
 * before any chart is drawn, a chart is drawn while its card is on the way and sent after it, and
 * a chart that cannot be drawn costs only itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Telegram } from 'telegraf';
import { sendReplies } from '../../src/bot/send.ts';
import { installTransport } from '../../src/bot/transport.ts';
import { text, type Answer } from '../../src/core/reply.ts';
import * as M from '../../src/messages.ts';
import { startEmulator, tinyPng, type TelegramEmulator } from '../support/telegramEmulator.ts';

let tg: TelegramEmulator;
beforeAll(async () => {
  tg = await startEmulator();
});
afterAll(() => tg.close());

describe('sendReplies with a later photo', () => {
  /** The order of what the sender did: its Bot API calls and the charts' drawings. */
  function recorder() {
    const events: string[] = [];
    const client = new Telegram(tg.token, { apiRoot: tg.apiRoot });
    installTransport(client);
    const call = client.callApi.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { callApi: typeof call }).callApi = (...args: unknown[]) => {
      events.push(`${String(args[0])} ${(args[1] as { chat_id: number }).chat_id}`);
      return call(...args);
    };
    const later = (chat: number, png: () => Promise<Buffer> = async () => tinyPng()): Answer => ({
      type: 'later-photo',
      fileName: `risk-${chat}.png`,
      draw: () => (events.push(`draw ${chat}`), png()),
    });
    return { events, client, later };
  }

  it('in a burst every card is asked for before any chart is drawn, and each chart follows its card', async () => {
    const { events, client, later } = recorder();
    const chats = [611, 612, 613, 614, 615];
    for (const c of chats) tg.sendText(c, 'hi');
    await Promise.all(chats.map((c) => sendReplies(client, c, [text(`Клиент ${c}`), later(c)])));
    const firstDraw = events.findIndex((e) => e.startsWith('draw'));
    expect(events.slice(0, firstDraw)).toEqual(chats.map((c) => `sendMessage ${c}`));
    for (const c of chats) {
      expect(events.indexOf(`sendPhoto ${c}`)).toBeGreaterThan(events.indexOf(`sendMessage ${c}`));
      const card = tg.calls.find((x) => x.method === 'sendMessage' && x.params.chat_id === c)!;
      const photo = tg.calls.find((x) => x.method === 'sendPhoto' && x.params.chat_id === c)!;
      expect(card.ok && photo.ok).toBe(true);
      expect(photo.at).toBeGreaterThanOrEqual(card.at);
    }
  });

  it("draws the chart while the card is on its way, and sends it once the card is accepted", async () => {
    const { client, later } = recorder();
    tg.sendText(602, 'hi');
    tg.failNext('sendMessage', { delayMs: 300 });
    let drawnAt = 0;
    await sendReplies(client, 602, [text('Клиент 2'), later(602, async () => ((drawnAt ||= Date.now()), tinyPng()))]);
    const card = tg.calls.find((c) => c.method === 'sendMessage' && c.params.chat_id === 602)!;
    const photo = tg.calls.find((c) => c.method === 'sendPhoto' && c.params.chat_id === 602)!;
    // The card arrived at card.at and was answered 300 ms later: the chart did not wait for that.
    expect(drawnAt).toBeLessThan(card.at + 200);
    expect(photo.at).toBeGreaterThanOrEqual(card.at + 300);
    expect(photo.ok).toBe(true);
  });

  it('a chart that cannot be drawn costs only itself: the text arrived, and one short line says so', async () => {
    const { client, later } = recorder();
    tg.sendText(603, 'hi');
    await sendReplies(client, 603, [text('Клиент 3'), later(603, () => Promise.reject(new Error('canvas gone')))]);
    const sent = tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === 603).map((c) => c.params.text);
    expect(sent).toEqual(['Клиент 3', M.CHAT.chartNotSent]);
  });

  it('a card that fails leaves its chart unsent, without an unhandled rejection', async () => {
    const { events, client, later } = recorder();
    tg.sendText(604, 'hi');
    tg.failNext('sendMessage', { status: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(sendReplies(client, 604, [text('Клиент 4'), later(604, () => Promise.reject(new Error('never awaited')))])).rejects.toMatchObject({ code: 403 });
    await new Promise((r) => setTimeout(r, 20));
    expect(events.filter((e) => e.startsWith('sendPhoto'))).toEqual([]);
  });
});
