/**
 * A later photo (a /risk chart) is drawn only once the messages before it are sent: the card
 * reaches the chat while its chart is still being drawn, and a chart that cannot be drawn costs
 * only itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Telegram } from 'telegraf';
import { sendReplies } from '../../src/bot/send.ts';
import { installTransport } from '../../src/bot/transport.ts';
import { text, type Answer } from '../../src/core/reply.ts';
import * as M from '../../src/messages.ts';
import { startEmulator, tinyPng, type TelegramEmulator } from '../support/telegramEmulator.ts';

let tg: TelegramEmulator;
let telegram: Telegram;
beforeAll(async () => {
  tg = await startEmulator();
  telegram = new Telegram(tg.token, { apiRoot: tg.apiRoot });
  installTransport(telegram);
});
afterAll(() => tg.close());

describe('sendReplies with a later photo', () => {
  it('sends the text before the chart is drawn, then the chart', async () => {
    tg.sendText(601, 'hi');
    let started = false;
    let textBeforeDrawing: boolean | null = null;
    let finish!: (png: Buffer) => void;
    const png = new Promise<Buffer>((r) => (finish = r));
    const answer: Answer[] = [
      text('Клиент 1: 96 %'),
      {
        type: 'later-photo',
        fileName: 'risk-1.png',
        draw: () => {
          started = true;
          textBeforeDrawing ??= tg.calls.some((c) => c.method === 'sendMessage' && c.params.chat_id === 601 && c.ok === true);
          return png;
        },
      },
    ];
    const sending = sendReplies(telegram, 601, answer);
    const card = await tg.waitForCall('sendMessage');
    expect(card.params.text).toBe('Клиент 1: 96 %');
    // The drawing starts only after Telegram took the text.
    expect(card.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(true);
    expect(textBeforeDrawing).toBe(true);
    expect(tg.calls.some((c) => c.method === 'sendPhoto')).toBe(false);
    finish(tinyPng());
    await sending;
    const photo = await tg.waitForCall('sendPhoto');
    expect(Object.values(photo.files)[0].content.equals(tinyPng())).toBe(true);
  });

  it('does not draw the chart before the text has gone', async () => {
    tg.sendText(602, 'hi');
    tg.failNext('sendMessage', { delayMs: 300 });
    let drawnAt = 0;
    const sending = sendReplies(telegram, 602, [
      text('Клиент 2'),
      { type: 'later-photo', fileName: 'risk-2.png', draw: async () => ((drawnAt ||= Date.now()), tinyPng()) },
    ]);
    const card = await tg.waitForCall((c) => c.method === 'sendMessage' && c.params.chat_id === 602);
    await sending;
    expect(drawnAt).toBeGreaterThanOrEqual(card.at + 300);
  });

  it('a chart that cannot be drawn costs only itself: the text arrived, and one short line says so', async () => {
    tg.sendText(603, 'hi');
    await sendReplies(telegram, 603, [
      text('Клиент 3'),
      { type: 'later-photo', fileName: 'risk-3.png', draw: () => Promise.reject(new Error('canvas gone')) },
    ]);
    const sent = tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === 603).map((c) => c.params.text);
    expect(sent).toEqual(['Клиент 3', M.CHAT.chartNotSent]);
  });
});
