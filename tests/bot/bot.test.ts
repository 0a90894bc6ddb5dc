import { beforeAll, describe, expect, it } from 'vitest';
import type { Dialogue } from '../../src/features/dialogue.ts';
import { servedIds } from '../support/appFixture.ts';
import { withEmulatedBot } from '../support/emulatedBot.ts';
import { tinyPng } from '../support/telegramEmulator.ts';

const ADMIN = 100;
const MANAGER = 200;
const STRANGER = 300;

const h = withEmulatedBot();
/** The served customers' ids, ascending (after the harness has trained the app). */
let ids: number[];
beforeAll(async () => {
  ids = (await servedIds(h.fx.app));
});
const start = (opts: { dialogue?: Dialogue; allowed?: number[] } = {}) =>
  h.startBot({ dialogue: opts.dialogue, allowed: opts.allowed ?? [MANAGER], admins: [ADMIN], registerMenu: true });

describe('Telegram bot through the Bot API emulator', () => {
  it('registers the command menu with Russian descriptions', async () => {
    await start();
    const commands = h.tg.myCommands() as { command: string; description: string }[];
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'help', 'risk', 'segment', 'top_features']));
    expect(commands.every((c) => /^[a-z_]+$/.test(c.command))).toBe(true);
    expect(commands.find((c) => c.command === 'risk')?.description).toMatch(/риск/);
  });

  it('/start greets and explains what the bot does', async () => {
    await start();
    h.tg.sendText(MANAGER, '/start');
    const m = await h.tg.waitForMessage(MANAGER);
    expect(m.text).toMatch(/Здравствуйте/);
    expect(m.text).toMatch(/\/risk/);
  });

  it('/risk ID sends the answer text and then the drivers chart as a photo', async () => {
    await start();
    h.tg.sendText(MANAGER, `/risk ${ids[0]}`);
    const text = await h.tg.waitForMessage(MANAGER);
    expect(text.text).toMatch(new RegExp(`Клиент ${ids[0]}`));
    expect(text.text).toMatch(/\d+% — (низкий|средний|высокий) риск/);
    const photoCall = await h.tg.waitForCall('sendPhoto');
    const png = Object.values(photoCall.files)[0].content;
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('/risk with no id asks for it and answers the follow-up message', async () => {
    await start();
    h.tg.sendText(MANAGER, '/risk');
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(/номер клиента/);
    h.tg.sendText(MANAGER, String(ids[1]));
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(new RegExp(`Клиент ${ids[1]}`));
  });

  it('an unknown id gets a friendly «не найден» with nearby ids', async () => {
    await start();
    expect(ids[0]).toBeGreaterThan(999);
    h.tg.sendText(MANAGER, '/risk 999');
    const m = await h.tg.waitForMessage(MANAGER);
    expect(m.text).toMatch(/Клиент не найден: 999/);
    expect(m.text).toContain(String(ids[0])); // the nearest known id
  });

  it('/segment shows a keyboard; a press is answered and the segment is sent', async () => {
    await start();
    h.tg.sendText(MANAGER, '/segment');
    const kb = await h.tg.waitForMessage(MANAGER);
    const buttons = kb.reply_markup!.inline_keyboard.flat();
    expect(buttons).toHaveLength(6);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data!)).toBeLessThanOrEqual(64);
    await h.tg.waitForCall('sendPhoto'); // the overview of all segments under the keyboard
    const queryId = h.tg.pressButton(MANAGER, kb, 'Прибыльные под угрозой');
    const seg = await h.tg.waitForMessage(MANAGER);
    expect(seg.text).toMatch(/Прибыльные под угрозой/);
    await h.tg.waitForCall('sendPhoto');
    expect(h.tg.answeredCallbacks.map((a) => a.callback_query_id)).toContain(queryId);
  });

  it('/top_features answers with text and the importance chart', async () => {
    await start();
    h.tg.sendText(MANAGER, '/top_features');
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(/влияет на риск/);
    await h.tg.waitForCall('sendPhoto');
  });

  it('/export sends an Excel workbook', async () => {
    await start();
    h.tg.sendText(MANAGER, '/export cart');
    const call = await h.tg.waitForCall('sendDocument');
    const file = Object.values(call.files)[0];
    expect(file.fileName).toBe('segment-cart.xlsx');
    expect(file.content.subarray(0, 2).toString('latin1')).toBe('PK'); // an .xlsx is a ZIP
  });

  it('strangers get one polite refusal and nothing about the data', async () => {
    await start();
    h.tg.sendText(STRANGER, `/risk ${ids[0]}`);
    const m = await h.tg.waitForMessage(STRANGER);
    expect(m.text).toMatch(/только сотрудникам/);
    expect(m.text).not.toContain(String(ids[0]));
    h.tg.sendText(STRANGER, '/start');
    await h.tg.waitUntilProcessed();
    expect(h.tg.sent(STRANGER)).toHaveLength(1);
  });

  it('a handler that throws gets an apology and the bot keeps serving', async () => {
    const dialogue: Dialogue = {
      ...h.fx.app.dialogue,
      handleText: (user, text) => (text === '/boom' ? Promise.reject(new Error('boom')) : h.fx.app.dialogue.handleText(user, text)),
    };
    await start({ dialogue });
    h.tg.sendText(MANAGER, '/boom');
    const sorry = await h.tg.waitForMessage(MANAGER);
    expect(sorry.text).toMatch(/что-то пошло не так/i);
    expect(sorry.text).not.toMatch(/boom|Error/);
    h.tg.sendText(MANAGER, '/start');
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(/Здравствуйте/);
  });

  it('a slow answer in one chat does not hold back other chats, and one chat stays in order', async () => {
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowStarted = new Promise<void>((r) => (started = r));
    const dialogue: Dialogue = {
      ...h.fx.app.dialogue,
      handleText: async (user, text) => {
        if (text === '/slow') {
          started();
          await gate;
        }
        return h.fx.app.dialogue.handleText(user, text === '/slow' ? '/help' : text);
      },
    };
    await start({ dialogue, allowed: [MANAGER, ADMIN] });
    h.tg.sendText(MANAGER, '/slow');
    await slowStarted;
    // These arrive in a later batch than /slow, which is still being handled.
    h.tg.sendText(MANAGER, '/start');
    h.tg.sendText(ADMIN, '/start');
    expect((await h.tg.waitForMessage(ADMIN)).text).toMatch(/Здравствуйте/);
    expect(h.tg.sent(MANAGER)).toHaveLength(0);
    release();
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(/Команды/);
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(/Здравствуйте/);
  });

  it('a chat over its rate limit gets one short notice, and other chats are unaffected', async () => {
    await h.startBot({ allowed: [MANAGER, ADMIN], rateLimitPerMinute: 2 });
    for (const t of ['/start', '/help', '/model', '/model']) h.tg.sendText(MANAGER, t);
    h.tg.sendText(ADMIN, '/start');
    for (let i = 0; i < 3; i++) await h.tg.waitForMessage(MANAGER);
    await h.tg.waitForMessage(ADMIN);
    await h.tg.waitUntilProcessed();
    await new Promise((r) => setTimeout(r, 300)); // a fourth answer would have landed by now
    const texts = h.tg.sent(MANAGER).map((m) => m.text ?? '');
    expect(texts).toHaveLength(3);
    expect(texts.filter((t) => /Слишком много запросов/.test(t))).toHaveLength(1);
    expect(h.tg.sent(ADMIN)).toHaveLength(1);
  });

  it('a photo instead of a command gets a hint about what the bot understands', async () => {
    await start();
    h.tg.sendPhoto(MANAGER, { content: tinyPng() });
    // The example is the first served customer.
    expect((await h.tg.waitForMessage(MANAGER)).text).toContain(`/risk ${ids[0]}`);
  });

  it('a 429 from Telegram is retried after retry_after', async () => {
    await start();
    h.tg.failNext('sendMessage', { status: 429, retryAfter: 1 });
    h.tg.sendText(MANAGER, '/help');
    const failed = await h.tg.waitForCall((c) => c.method === 'sendMessage' && c.ok === false);
    const ok = await h.tg.waitForCall((c) => c.method === 'sendMessage' && c.ok === true);
    expect(ok.at - failed.at).toBeGreaterThanOrEqual(950);
    expect((ok.result as { text: string }).text).toMatch(/Команды/);
  });
});
