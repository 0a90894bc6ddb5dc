import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot, registerCommands } from '../../src/bot/createBot.ts';
import type { Conversation } from '../../src/chat/conversation.ts';
import { REAL_DIR, trainedApp, type Fixture } from '../support/appFixture.ts';
import { startEmulator, startPolling, type TelegramEmulator } from '../support/telegramEmulator.ts';

let fx: Fixture;
let tg: TelegramEmulator;
let polling: { stop(): Promise<void> } | undefined;

const ADMIN = 100;
const MANAGER = 200;
const STRANGER = 300;

beforeAll(async () => {
  fx = await trainedApp({ dataDir: REAL_DIR });
});
afterAll(() => fx?.dispose());

afterEach(async () => {
  await polling?.stop();
  polling = undefined;
  await tg?.close();
});

async function start(opts: { conversation?: Conversation; allowed?: number[]; admins?: number[] } = {}) {
  tg = await startEmulator();
  const { bot } = createBot({
    token: tg.token,
    apiRoot: tg.apiRoot,
    conversation: opts.conversation ?? fx.app.conversation,
    access: { allowed: new Set(opts.allowed ?? [MANAGER]), admins: new Set(opts.admins ?? [ADMIN]) },
    rateLimitPerMinute: 1000,
    log: fx.app.log,
  });
  await registerCommands(bot, opts.conversation ?? fx.app.conversation);
  polling = startPolling(bot);
  return bot;
}

describe('Telegram bot through the Bot API emulator', () => {
  it('registers the command menu with Russian descriptions', async () => {
    await start();
    const commands = tg.myCommands() as { command: string; description: string }[];
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'help', 'risk', 'segment', 'top_features']));
    expect(commands.every((c) => /^[a-z_]+$/.test(c.command))).toBe(true);
    expect(commands.find((c) => c.command === 'risk')?.description).toMatch(/риск/);
  });

  it('/start greets and explains what the bot does', async () => {
    await start();
    tg.sendText(MANAGER, '/start');
    const m = await tg.waitForMessage(MANAGER);
    expect(m.text).toMatch(/Здравствуйте/);
    expect(m.text).toMatch(/\/risk/);
  });

  it('/risk ID sends the answer text and then the drivers chart as a photo', async () => {
    await start();
    tg.sendText(MANAGER, '/risk 215349');
    const text = await tg.waitForMessage(MANAGER);
    expect(text.text).toMatch(/Клиент 215349/);
    expect(text.text).toMatch(/\d+% — (низкий|средний|высокий) риск/);
    const photoCall = await tg.waitForCall('sendPhoto');
    const png = Object.values(photoCall.files)[0].content;
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('/risk with no id asks for it and answers the follow-up message', async () => {
    await start();
    tg.sendText(MANAGER, '/risk');
    expect((await tg.waitForMessage(MANAGER)).text).toMatch(/номер клиента/);
    tg.sendText(MANAGER, '215350');
    expect((await tg.waitForMessage(MANAGER)).text).toMatch(/Клиент 215350/);
  });

  it('an unknown id gets a friendly «не найден» with nearby ids', async () => {
    await start();
    tg.sendText(MANAGER, '/risk 999');
    const m = await tg.waitForMessage(MANAGER);
    expect(m.text).toMatch(/Клиент не найден: 999/);
    expect(m.text).toMatch(/215348|215349/);
  });

  it('/segment shows a keyboard; a press is answered and the segment is sent', async () => {
    await start();
    tg.sendText(MANAGER, '/segment');
    const kb = await tg.waitForMessage(MANAGER);
    const buttons = kb.reply_markup!.inline_keyboard.flat();
    expect(buttons).toHaveLength(6);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data!)).toBeLessThanOrEqual(64);
    const queryId = tg.pressButton(MANAGER, kb, 'Прибыльные под угрозой');
    const seg = await tg.waitForMessage(MANAGER);
    expect(seg.text).toMatch(/Прибыльные под угрозой/);
    await tg.waitForCall('sendPhoto');
    expect(tg.answeredCallbacks.map((a) => a.callback_query_id)).toContain(queryId);
  });

  it('/top_features answers with text and the importance chart', async () => {
    await start();
    tg.sendText(MANAGER, '/top_features');
    expect((await tg.waitForMessage(MANAGER)).text).toMatch(/влияет на риск/);
    await tg.waitForCall('sendPhoto');
  });

  it('/export sends a CSV document', async () => {
    await start();
    tg.sendText(MANAGER, '/export cart');
    const call = await tg.waitForCall('sendDocument');
    const file = Object.values(call.files)[0];
    expect(file.fileName).toBe('segment-cart.csv');
    expect(file.content.toString('utf8')).toMatch(/^\uFEFFid,/);
  });

  it('strangers get one polite refusal and nothing about the data', async () => {
    await start();
    tg.sendText(STRANGER, '/risk 215349');
    const m = await tg.waitForMessage(STRANGER);
    expect(m.text).toMatch(/только сотрудникам/);
    expect(m.text).not.toMatch(/215349/);
    tg.sendText(STRANGER, '/start');
    await tg.waitUntilProcessed();
    expect(tg.sent(STRANGER)).toHaveLength(1);
  });

  it('a handler that throws gets an apology and the bot keeps serving', async () => {
    const conversation: Conversation = {
      ...fx.app.conversation,
      handleText: (user, text) => (text === '/boom' ? Promise.reject(new Error('boom')) : fx.app.conversation.handleText(user, text)),
    };
    await start({ conversation });
    tg.sendText(MANAGER, '/boom');
    const sorry = await tg.waitForMessage(MANAGER);
    expect(sorry.text).toMatch(/что-то пошло не так/i);
    expect(sorry.text).not.toMatch(/boom|Error/);
    tg.sendText(MANAGER, '/start');
    expect((await tg.waitForMessage(MANAGER)).text).toMatch(/Здравствуйте/);
  });

  it('a slow answer in one chat does not hold back other chats, and one chat stays in order', async () => {
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowStarted = new Promise<void>((r) => (started = r));
    const conversation: Conversation = {
      ...fx.app.conversation,
      handleText: async (user, text) => {
        if (text === '/slow') {
          started();
          await gate;
        }
        return fx.app.conversation.handleText(user, text === '/slow' ? '/help' : text);
      },
    };
    await start({ conversation, allowed: [MANAGER, ADMIN] });
    tg.sendText(MANAGER, '/slow');
    await slowStarted;
    // These arrive in a later batch than /slow, which is still being handled.
    tg.sendText(MANAGER, '/start');
    tg.sendText(ADMIN, '/start');
    expect((await tg.waitForMessage(ADMIN)).text).toMatch(/Здравствуйте/);
    expect(tg.sent(MANAGER)).toHaveLength(0);
    release();
    expect((await tg.waitForMessage(MANAGER)).text).toMatch(/Команды/);
    expect((await tg.waitForMessage(MANAGER)).text).toMatch(/Здравствуйте/);
  });

  it('a 429 from Telegram is retried after retry_after', async () => {
    await start();
    tg.failNext('sendMessage', { status: 429, retryAfter: 1 });
    tg.sendText(MANAGER, '/help');
    const failed = await tg.waitForCall((c) => c.method === 'sendMessage' && c.ok === false);
    const ok = await tg.waitForCall((c) => c.method === 'sendMessage' && c.ok === true);
    expect(ok.at - failed.at).toBeGreaterThanOrEqual(950);
    expect((ok.result as { text: string }).text).toMatch(/Команды/);
  });
});
