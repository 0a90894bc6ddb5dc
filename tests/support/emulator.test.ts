import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Markup, Telegraf, TelegramError, type Context } from 'telegraf';
import { message } from 'telegraf/filters';
import {
  startEmulator,
  startPolling,
  TELEGRAM_FLOOD_LIMITS,
  tinyPng,
  type TelegramEmulator,
  type TgMessage,
} from './telegramEmulator.ts';
import { parseHtml, parseMarkdownV2, parseMarkdown } from './telegramText.ts';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

let tg: TelegramEmulator | undefined;
let polling: { stop(): Promise<void> } | undefined;

afterEach(async () => {
  await polling?.stop();
  await tg?.close();
  polling = undefined;
  tg = undefined;
});

/** An emulator plus a telegraf bot wired to it; call `run()` once the handlers are registered. */
async function setup() {
  const emulator = await startEmulator();
  tg = emulator;
  const bot = new Telegraf<Context>(emulator.token, { telegram: { apiRoot: emulator.apiRoot }, handlerTimeout: 5_000 });
  return {
    tg: emulator,
    bot,
    run: () => {
      polling = startPolling(bot);
    },
  };
}

/** Raw Bot API call, the way any HTTP client would make it. */
async function api(root: string, token: string, method: string, init?: RequestInit & { query?: string }) {
  const res = await fetch(`${root}/bot${token}/${method}${init?.query ?? ''}`, init);
  return { status: res.status, body: (await res.json()) as { ok: boolean; result?: any; error_code?: number; description?: string; parameters?: any } };
}
const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('telegram emulator with a real telegraf bot', () => {
  it('delivers /start with a bot_command entity and records the reply', async () => {
    const { tg, bot, run } = await setup();
    const seen: unknown[] = [];
    bot.start(async (ctx) => {
      seen.push(ctx.message.entities);
      await ctx.reply('Привет! Я помогу удержать клиентов.');
    });
    run();

    const userMessage = tg.sendText({ chatId: 42, firstName: 'Анна' }, '/start');
    const reply = await tg.waitForMessage(42);

    expect(reply.text).toBe('Привет! Я помогу удержать клиентов.');
    expect(reply.from?.is_bot).toBe(true);
    expect(reply.chat).toMatchObject({ id: 42, type: 'private', first_name: 'Анна' });
    expect(reply.message_id).toBeGreaterThan(userMessage.message_id);
    expect(seen).toEqual([[{ type: 'bot_command', offset: 0, length: 6 }]]);
    expect(tg.sent(42)).toEqual([reply]);
    expect(tg.calls.map((c) => c.method).slice(0, 3)).toEqual(['getMe', 'deleteWebhook', 'getUpdates']);
    await tg.waitUntilProcessed();
    expect(tg.pendingUpdates).toBe(0);
  });

  it('routes /cmd@botname in a group and ignores commands for other bots', async () => {
    const { tg, bot, run } = await setup();
    bot.command('report', (ctx) => ctx.reply(`report for ${ctx.from.id}`));
    run();

    tg.sendText({ chatId: -100777, userId: 9 }, '/report@other_bot');
    tg.sendText({ chatId: -100777, userId: 7 }, '/report@test_bot please');
    const reply = await tg.waitForMessage(-100777);

    expect(reply.text).toBe('report for 7');
    expect(reply.chat.type).toBe('supergroup');
    await tg.waitUntilProcessed();
    expect(tg.sent(-100777)).toHaveLength(1);
  });

  it('receives a photo sent from a Buffer byte-for-byte, caption rendered from HTML', async () => {
    const { tg, bot, run } = await setup();
    const png = tinyPng(40, 30);
    bot.command('chart', (ctx) => ctx.replyWithPhoto({ source: png }, { caption: '<b>Риск оттока</b> &amp; драйверы', parse_mode: 'HTML' }));
    run();

    tg.sendText(5, '/chart');
    const call = await tg.waitForCall('sendPhoto');

    expect(call.ok).toBe(true);
    expect(call.params).toMatchObject({ chat_id: 5, parse_mode: 'HTML' });
    expect(call.files.photo.content.equals(png)).toBe(true);
    const sent = call.result as TgMessage;
    expect(sent.caption).toBe('Риск оттока & драйверы');
    expect(sent.photo?.[0]).toMatchObject({ width: 40, height: 30, file_size: png.length });
    expect(tg.file(sent.photo![0].file_id)?.content.equals(png)).toBe(true);
  });

  it('receives a document with its file name, bytes and guessed MIME type', async () => {
    const { tg, bot, run } = await setup();
    const csv = Buffer.from('client_id;risk\n1;0.93\n2;0.12\n', 'utf8');
    bot.command('export', (ctx) => ctx.replyWithDocument({ source: csv, filename: 'отчёт.csv' }));
    run();

    tg.sendText(5, '/export');
    const call = await tg.waitForCall('sendDocument');

    expect(call.files.document).toMatchObject({ fileName: 'отчёт.csv' });
    expect(call.files.document.content.equals(csv)).toBe(true);
    expect((call.result as TgMessage).document).toMatchObject({ file_name: 'отчёт.csv', mime_type: 'text/csv', file_size: csv.length });
  });

  it('lets the bot download a user upload through getFileLink + fetch', async () => {
    const { tg, bot, run } = await setup();
    bot.on(message('document'), async (ctx) => {
      const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
      const bytes = Buffer.from(await (await fetch(link)).arrayBuffer());
      await ctx.reply(`${ctx.message.document.file_name}: ${bytes.length} bytes, sha1 ${sha1(bytes)}`);
    });
    run();

    const content = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const sent = tg.sendDocument(8, { fileName: 'customers.xlsx', content });
    const reply = await tg.waitForMessage(8);

    expect(sent.document).toMatchObject({
      file_name: 'customers.xlsx',
      mime_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      file_size: 3000,
    });
    expect(reply.text).toBe(`customers.xlsx: 3000 bytes, sha1 ${sha1(content)}`);
    const getFile = tg.calls.find((c) => c.method === 'getFile');
    expect(getFile?.result).toMatchObject({ file_id: sent.document!.file_id, file_size: 3000 });
  });

  it('delivers an album of documents with one media_group_id', async () => {
    const { tg, bot, run } = await setup();
    const groups: (string | undefined)[] = [];
    bot.on(message('document'), (ctx) => {
      groups.push(ctx.message.media_group_id);
    });
    run();

    const sent = tg.sendMediaGroup(3, [
      { fileName: 'jan.csv', content: Buffer.from('a') },
      { fileName: 'feb.csv', content: Buffer.from('b'), caption: 'февраль' },
      { fileName: 'mar.csv', content: Buffer.from('c') },
    ]);
    await tg.waitUntilProcessed();

    expect(new Set(sent.map((m) => m.media_group_id)).size).toBe(1);
    expect(groups).toEqual(sent.map((m) => m.media_group_id));
    expect(sent[1].caption).toBe('февраль');
  });

  it('presses an inline button: callback answered, message edited and keyboard removed', async () => {
    const { tg, bot, run } = await setup();
    bot.command('offer', (ctx) =>
      ctx.reply('Отправить оффер клиенту 17?', Markup.inlineKeyboard([Markup.button.callback('✅ Да', 'offer:17:yes'), Markup.button.callback('Нет', 'offer:17:no')])),
    );
    bot.action(/^offer:(\d+):yes$/, async (ctx) => {
      await ctx.answerCbQuery('Оффер отправлен');
      await ctx.editMessageText(`Оффер клиенту ${ctx.match[1]} отправлен`);
    });
    run();

    tg.sendText(11, '/offer');
    const question = await tg.waitForMessage(11);
    expect(question.reply_markup?.inline_keyboard[0].map((b) => b.text)).toEqual(['✅ Да', 'Нет']);

    const queryId = tg.pressButton(11, question, '✅ Да'); // by text; 'offer:17:yes' works too
    await tg.waitForCall('editMessageText');

    expect(tg.answeredCallbacks).toEqual([{ callback_query_id: queryId, text: 'Оффер отправлен', at: expect.any(Number) }]);
    const [edited] = tg.sent(11);
    expect(edited).toMatchObject({ message_id: question.message_id, text: 'Оффер клиенту 17 отправлен' });
    expect(edited.edit_date).toBeTypeOf('number');
    expect(edited.reply_markup).toBeUndefined(); // editMessageText without reply_markup drops the keyboard
    expect(() => tg.pressButton(11, question, 'offer:17:no')).toThrow(/no button "offer:17:no"; buttons: none/);
  });

  it('makes an injected 429 visible to the client, then answers normally', async () => {
    const { tg, bot, run } = await setup();
    const errors: unknown[] = [];
    bot.catch((err) => {
      errors.push(err);
    });
    bot.on(message('text'), (ctx) => ctx.reply('ok'));
    run();

    tg.failNext('sendMessage', { status: 429, retryAfter: 1 });
    tg.sendText(4, 'first');
    const failed = await tg.waitForCall('sendMessage');
    await tg.waitUntilProcessed();
    tg.sendText(4, 'second');
    const reply = await tg.waitForMessage(4);

    expect(failed.ok).toBe(false);
    expect(failed.error).toEqual({ error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    expect(errors).toHaveLength(1);
    const err = errors[0] as TelegramError;
    expect(err).toBeInstanceOf(TelegramError);
    expect(err.code).toBe(429);
    expect(err.response).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    expect(reply.text).toBe('ok');
  });
});

describe('telegram emulator: Bot API surface', () => {
  it('rejects an unknown token with 401 Unauthorized', async () => {
    tg = await startEmulator({ token: '1:right' });
    const { status, body } = await api(tg.apiRoot, '1:wrong', 'getMe');
    expect(status).toBe(401);
    expect(body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('accepts params as query string, urlencoded form and JSON', async () => {
    tg = await startEmulator();
    tg.createChat(7);
    const viaQuery = await api(tg.apiRoot, tg.token, 'sendMessage', { query: '?chat_id=7&text=q' });
    const viaForm = await api(tg.apiRoot, tg.token, 'sendMessage', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: '7', text: 'f', reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'b', callback_data: 'x' }]] }) }).toString(),
    });
    const viaJson = await api(tg.apiRoot, tg.token, 'sendMessage', json({ chat_id: 7, text: 'j' }));

    expect([viaQuery, viaForm, viaJson].map((r) => r.body.result.text)).toEqual(['q', 'f', 'j']);
    expect(viaForm.body.result.reply_markup).toEqual({ inline_keyboard: [[{ text: 'b', callback_data: 'x' }]] });
    expect(tg.sent(7).map((m) => m.message_id)).toEqual([1, 2, 3]);
    expect(tg.calls[1].params).toMatchObject({ chat_id: 7 }); // normalised to a number
  });

  it('long-polls getUpdates: holds until an update arrives, honours offset and limit', async () => {
    tg = await startEmulator();
    const started = Date.now();
    const pending = api(tg.apiRoot, tg.token, 'getUpdates', json({ timeout: 10 }));
    setTimeout(() => tg!.sendText(1, 'one'), 100);
    const first = await pending;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(first.body.result.map((u: any) => u.message.text)).toEqual(['one']);

    tg.sendText(1, 'two');
    tg.sendText(1, 'three');
    const unconfirmed = await api(tg.apiRoot, tg.token, 'getUpdates', json({ limit: 2 }));
    expect(unconfirmed.body.result.map((u: any) => u.message.text)).toEqual(['one', 'two']);
    const confirmed = await api(tg.apiRoot, tg.token, 'getUpdates', json({ offset: first.body.result[0].update_id + 2 }));
    expect(confirmed.body.result.map((u: any) => u.message.text)).toEqual(['three']);
    expect(tg.pendingUpdates).toBe(1);

    const emptyStart = Date.now();
    const empty = await api(tg.apiRoot, tg.token, 'getUpdates', json({ offset: confirmed.body.result[0].update_id + 1, timeout: 1 }));
    expect(empty.body.result).toEqual([]);
    expect(Date.now() - emptyStart).toBeGreaterThanOrEqual(900);
  });

  it('close() ends a pending long poll at once', async () => {
    const emulator = await startEmulator();
    const pending = fetch(`${emulator.apiRoot}/bot${emulator.token}/getUpdates?timeout=50`).then(
      () => 'answered',
      () => 'dropped',
    );
    await emulator.waitForCall('getUpdates');
    const started = Date.now();
    await emulator.close();
    expect(await pending).toBe('dropped');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('injects 403, 500, delays and connection resets', async () => {
    tg = await startEmulator();
    const bot = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } });
    tg.createChat(66);
    tg.createChat(1);
    tg.failNext('sendMessage', { status: 403, description: 'Forbidden: bot was blocked by the user', match: (p) => p.chat_id === 66 });
    tg.failNext('*', { status: 500 });
    tg.failNext('sendChatAction', { resetConnection: true });
    tg.failNext('getMe', { delayMs: 150 });

    await expect(bot.telegram.sendMessage(66, 'hi')).rejects.toMatchObject({ code: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(bot.telegram.deleteMessage(1, 1)).rejects.toMatchObject({ code: 500 });
    await expect(bot.telegram.sendChatAction(1, 'typing')).rejects.toMatchObject({ name: 'FetchError', code: 'ECONNRESET' });
    const started = Date.now();
    await expect(bot.telegram.getMe()).resolves.toMatchObject({ username: 'test_bot', is_bot: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(bot.telegram.sendMessage(66, 'again')).resolves.toMatchObject({ text: 'again' });
  });

  it('holds a chosen call until released, then carries it out even though its client has gone', async () => {
    tg = await startEmulator();
    tg.createChat(1);
    tg.createChat(2);
    const held = tg.holdNext('sendMessage', (p) => p.chat_id === 2);
    await expect(api(tg.apiRoot, tg.token, 'sendMessage', json({ chat_id: 1, text: 'not this one' }))).resolves.toMatchObject({ status: 200 });
    const client = new AbortController();
    const request = api(tg.apiRoot, tg.token, 'sendMessage', { ...json({ chat_id: 2, text: 'held' }), signal: client.signal });
    expect((await held.arrived).params).toMatchObject({ chat_id: 2, text: 'held' });
    await new Promise((r) => setTimeout(r, 50));
    expect(tg.sent(2)).toEqual([]); // not carried out while held
    client.abort(); // the sender dies before any answer
    await expect(request).rejects.toThrow();
    held.release();
    await tg.waitForMessage(2);
    expect(tg.sent(2).map((m) => m.text)).toEqual(['held']);
    // Only the next matching call was held.
    await expect(api(tg.apiRoot, tg.token, 'sendMessage', json({ chat_id: 2, text: 'next' }))).resolves.toMatchObject({ status: 200 });
  });

  it('answers with Telegram errors for bad markup, unchanged edits, stale callbacks and non-images', async () => {
    tg = await startEmulator();
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    const description = (p: Promise<unknown>) => p.then(() => 'resolved', (e: TelegramError) => e.description);
    tg.createChat(1);
    tg.createChat(2);

    expect(await description(t.sendMessage(1, 'a<br>b', { parse_mode: 'HTML' }))).toBe(
      `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`,
    );
    expect(await description(t.sendMessage(1, 'Версия 1.0', { parse_mode: 'MarkdownV2' }))).toBe(
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    expect(await description(t.sendMessage(1, 'x'.repeat(4097)))).toBe('Bad Request: message is too long');
    expect(await description(t.sendMessage(1, 'x', Markup.inlineKeyboard([Markup.button.callback('b', 'd'.repeat(65))])))).toBe(
      'Bad Request: BUTTON_DATA_INVALID',
    );
    expect(await description(t.sendPhoto(1, { source: Buffer.from('not an image') }))).toBe('Bad Request: IMAGE_PROCESS_FAILED');
    expect(await description(t.sendDocument(1, 'no-such-file-id'))).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    expect(await description(t.answerCbQuery('123'))).toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );

    const m = await t.sendMessage(1, '<b>Итог</b>', { parse_mode: 'HTML', ...Markup.inlineKeyboard([Markup.button.callback('ok', 'ok')]) });
    expect(m.text).toBe('Итог');
    expect(await description(t.editMessageText(1, m.message_id, undefined, '<b>Итог</b>', { parse_mode: 'HTML', ...Markup.inlineKeyboard([Markup.button.callback('ok', 'ok')]) }))).toMatch(
      /^Bad Request: message is not modified/,
    );
    expect(await description(t.editMessageReplyMarkup(1, m.message_id, undefined, undefined))).toBe('resolved');
    expect(await description(t.deleteMessage(1, m.message_id))).toBe('resolved');
    expect(await description(t.deleteMessage(1, m.message_id))).toBe('Bad Request: message to delete not found');

    // A photo by URL or by a known file_id is accepted without any download.
    const byUrl = await t.sendPhoto(1, 'https://example.com/chart.png');
    const again = await t.sendPhoto(2, byUrl.photo[0].file_id);
    expect(again.photo[0].file_id).toBe(byUrl.photo[0].file_id);
  });

  it('keeps commands, chat actions, webhook info and reply keyboards', async () => {
    tg = await startEmulator();
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    tg.createChat(5);
    await t.setMyCommands([{ command: 'start', description: 'Начать' }]);
    expect(await t.getMyCommands()).toEqual([{ command: 'start', description: 'Начать' }]);
    await expect(t.setMyCommands([{ command: 'Bad-Name', description: 'x' }])).rejects.toMatchObject({ description: 'Bad Request: BOT_COMMAND_INVALID' });
    await expect(t.sendChatAction(5, 'upload_document')).resolves.toBe(true);
    await expect(t.getWebhookInfo()).resolves.toMatchObject({ url: '', pending_update_count: 0 });
    await expect(t.callApi('someFutureMethod' as never, {} as never)).resolves.toBe(true);

    await t.sendMessage(5, 'Выберите', Markup.keyboard([['Отчёт', 'Сегменты']]).resize());
    expect(tg.replyKeyboard(5)).toMatchObject({ keyboard: [['Отчёт', 'Сегменты']] });
    expect(tg.sent(5)[0].reply_markup).toBeUndefined(); // Telegram echoes inline keyboards only
    await t.sendMessage(5, 'Готово', Markup.removeKeyboard());
    expect(tg.replyKeyboard(5)).toBeUndefined();
  });

  it('sends albums from the bot with attach:// uploads', async () => {
    tg = await startEmulator();
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    const a = tinyPng(4, 4, [1, 2, 3]);
    const b = tinyPng(8, 2, [9, 9, 9]);
    tg.createChat(9);
    const album = await t.sendMediaGroup(9, [
      { type: 'photo', media: { source: a }, caption: 'A' },
      { type: 'photo', media: { source: b } },
    ]);
    expect(album).toHaveLength(2);
    expect(album[0].media_group_id).toBe(album[1].media_group_id);
    const files = tg.calls.at(-1)!.files;
    expect(Object.values(files).map((f) => f.content.equals(a) || f.content.equals(b))).toEqual([true, true]);
  });

  it('waitForCall times out with a list of recent calls', async () => {
    tg = await startEmulator();
    tg.createChat(3);
    await api(tg.apiRoot, tg.token, 'sendMessage', json({ chat_id: 3, text: 'hello' }));
    const error = await tg.waitForCall('sendPhoto', { timeoutMs: 50 }).catch((e: Error) => e);
    expect(String(error)).toMatch(/waitForCall\('sendPhoto'\) timed out after 50 ms/);
    expect(String(error)).toMatch(/#0 sendMessage \{"chat_id":3,"text":"hello"\} → ok/);
  });
});

/** A clock the test moves by hand, so expiry and flood windows are tested without waiting. */
function fakeClock(start = 1_000_000) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

const telegram = (emulator: TelegramEmulator) => new Telegraf(emulator.token, { telegram: { apiRoot: emulator.apiRoot } }).telegram;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: TelegramError) => `${e.code} ${e.description}`,
  );

/** Updates queued for the bot, read the way a polling client reads them (nothing is confirmed). */
async function pendingUpdates(emulator: TelegramEmulator): Promise<any[]> {
  return (await api(emulator.apiRoot, emulator.token, 'getUpdates', json({ timeout: 0 }))).body.result;
}

describe('telegram emulator: callback queries expire like Telegram’s', () => {
  const QUERY_TOO_OLD = '400 Bad Request: query is too old and response timeout expired or query ID is invalid';

  async function buttonPress(emulator: TelegramEmulator) {
    emulator.createChat(11);
    const t = telegram(emulator);
    const m = await t.sendMessage(11, 'Отправить оффер?', Markup.inlineKeyboard([Markup.button.callback('Да', 'yes')]));
    return { t, queryId: emulator.pressButton(11, { message_id: m.message_id, chat: { id: 11 } }, 'yes') };
  }

  it('answers a fresh query once; the second answer is refused', async () => {
    tg = await startEmulator();
    const { t, queryId } = await buttonPress(tg);
    expect(await failure(t.answerCbQuery(queryId, 'Готово'))).toBe('resolved');
    expect(await failure(t.answerCbQuery(queryId, 'Ещё раз'))).toBe(QUERY_TOO_OLD);
    expect(tg.answeredCallbacks.map((a) => a.text)).toEqual(['Готово']);
  });

  it('refuses an answer that comes after callbackQueryTtlMs (15 s by default)', async () => {
    const clock = fakeClock();
    tg = await startEmulator({ clock: clock.read });
    const late = await buttonPress(tg);
    clock.now += 15_001;
    expect(await failure(late.t.answerCbQuery(late.queryId))).toBe(QUERY_TOO_OLD);

    const inTime = await buttonPress(tg);
    clock.now += 14_000;
    expect(await failure(inTime.t.answerCbQuery(inTime.queryId))).toBe('resolved');
  });

  it('takes the TTL as an option, and expireCallbackQuery() ages a query at once', async () => {
    const clock = fakeClock();
    tg = await startEmulator({ clock: clock.read, callbackQueryTtlMs: 1_000 });
    const { t, queryId } = await buttonPress(tg);
    clock.now += 1_500;
    expect(await failure(t.answerCbQuery(queryId))).toBe(QUERY_TOO_OLD);

    const other = await buttonPress(tg);
    tg.expireCallbackQuery(other.queryId);
    expect(await failure(t.answerCbQuery(other.queryId))).toBe(QUERY_TOO_OLD);
    expect(tg.answeredCallbacks).toEqual([]);
  });
});

describe('telegram emulator: group privacy mode', () => {
  const BASE = ['update_id', 'message_id', 'from', 'chat', 'date'];
  const texts = (updates: any[]) => updates.map((u) => u.message?.text ?? Object.keys(u.message ?? u).filter((k) => !BASE.includes(k)).join(','));

  it('in a group delivers commands for this bot, replies to it, @mentions and service messages only', async () => {
    tg = await startEmulator();
    const t = telegram(tg);
    expect(await t.getMe()).toMatchObject({ can_read_all_group_messages: false });
    const group = { chatId: -500, userId: 7 };
    tg.sendText(group, 'всем привет');
    tg.sendText(group, '/risk 215349');
    tg.sendText(group, '/risk@other_bot 215349');
    tg.sendText(group, '/risk@Test_Bot 215349');
    tg.sendText(group, 'спросим @test_bot');
    tg.sendText(group, 'почта a@test_bot.ru и @test_botik');
    const fromBot = (await t.sendMessage(-500, 'Я здесь')) as unknown as TgMessage;
    tg.sendText(group, 'ответ боту', { reply_to_message: fromBot });
    tg.sendText(group, 'ответ человеку', { reply_to_message: tg.history(-500)[0] });
    tg.sendDocument(group, { fileName: 'market_file.csv', content: Buffer.from('id\n1\n') });
    tg.joinGroup({ chatId: -500, userId: 8 });
    tg.sendText(9, 'в личке всё доходит');

    expect(texts(await pendingUpdates(tg))).toEqual([
      '/risk 215349',
      '/risk@Test_Bot 215349',
      'спросим @test_bot',
      'ответ боту',
      'new_chat_members',
      'в личке всё доходит',
    ]);
    expect(tg.history(-500)).toHaveLength(11); // undelivered messages still exist in the chat
  });

  it('tells the bot it was added to a group: my_chat_member, then new_chat_members with itself', async () => {
    tg = await startEmulator();
    tg.addBotToGroup(-600, { byUserId: 7, title: 'Отдел удержания' });
    const [member, service] = await pendingUpdates(tg);
    expect(member.my_chat_member).toMatchObject({
      chat: { id: -600, type: 'group', title: 'Отдел удержания' },
      from: { id: 7 },
      old_chat_member: { status: 'left' },
      new_chat_member: { status: 'member', user: { id: tg.botInfo.id, is_bot: true } },
    });
    expect(service.message.new_chat_members).toEqual([expect.objectContaining({ id: tg.botInfo.id, username: 'test_bot' })]);
  });

  it('with groupPrivacy: false delivers all group messages and getMe says so', async () => {
    tg = await startEmulator({ groupPrivacy: false });
    expect(await telegram(tg).getMe()).toMatchObject({ can_read_all_group_messages: true });
    tg.sendText({ chatId: -500, userId: 7 }, 'всем привет');
    expect(texts(await pendingUpdates(tg))).toEqual(['всем привет']);
  });
});

describe('telegram emulator: chats the bot cannot write to', () => {
  it('refuses a chat that never appeared with 400 "chat not found"', async () => {
    tg = await startEmulator();
    const t = telegram(tg);
    expect(await failure(t.sendMessage(999, 'привет'))).toBe('400 Bad Request: chat not found');
    expect(await failure(t.sendChatAction(999, 'typing'))).toBe('400 Bad Request: chat not found');
    expect(await failure(t.getChat(999))).toBe('400 Bad Request: chat not found');
    tg.createChat(999); // a user who started the bot earlier
    expect(await failure(t.sendMessage(999, 'привет'))).toBe('resolved');
    tg.sendText(998, '/start'); // or one who just wrote
    expect(await failure(t.sendMessage(998, 'привет'))).toBe('resolved');
  });

  it('with knownChatsOnly: false writes anywhere, as before', async () => {
    tg = await startEmulator({ knownChatsOnly: false });
    expect(await failure(telegram(tg).sendMessage(999, 'привет'))).toBe('resolved');
  });

  it('answers 403 in a group the bot was kicked from, and to a user who blocked it until they write again', async () => {
    tg = await startEmulator();
    const t = telegram(tg);
    tg.sendText({ chatId: -700, userId: 7 }, '/start');
    tg.sendText({ chatId: -1000000000701, userId: 7 }, '/start');
    tg.sendText(42, '/start');
    tg.kickBot(-700, { byUserId: 7 });
    tg.kickBot(-1000000000701);
    tg.blockBot(42);
    expect(await failure(t.sendMessage(-700, 'x'))).toBe('403 Forbidden: bot was kicked from the group chat');
    expect(await failure(t.sendMessage(-1000000000701, 'x'))).toBe('403 Forbidden: bot was kicked from the supergroup chat');
    expect(await failure(t.sendDocument(42, { source: Buffer.from('a'), filename: 'a.csv' }))).toBe('403 Forbidden: bot was blocked by the user');
    const statuses = (await pendingUpdates(tg)).filter((u) => u.my_chat_member).map((u) => [u.my_chat_member.chat.id, u.my_chat_member.new_chat_member.status]);
    expect(statuses).toEqual([[-700, 'kicked'], [-1000000000701, 'kicked'], [42, 'kicked']]);

    tg.sendText({ chatId: -700, userId: 7 }, '/start'); // the bot is not there to see it
    tg.sendText(42, '/start'); // restarting the bot unblocks it
    const after = (await pendingUpdates(tg)).slice(statuses.length + 3);
    expect(after.map((u) => u.my_chat_member?.new_chat_member.status ?? u.message.text)).toEqual(['member', '/start']);
    expect(await failure(t.sendMessage(42, 'снова здравствуйте'))).toBe('resolved');
  });

  it('answers 400 with migrate_to_chat_id for a group that became a supergroup, and emits the migrate messages', async () => {
    tg = await startEmulator();
    tg.sendText({ chatId: -800, userId: 7 }, '/start');
    const supergroup = tg.migrateToSupergroup(-800);
    expect(supergroup).toBe(-1000000000800);

    const old = await api(tg.apiRoot, tg.token, 'sendMessage', json({ chat_id: -800, text: 'x' }));
    expect(old).toEqual({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: supergroup } },
    });
    const err = await telegram(tg).sendMessage(-800, 'x').catch((e: TelegramError) => e);
    expect((err as TelegramError).parameters).toEqual({ migrate_to_chat_id: supergroup });
    await expect(telegram(tg).sendMessage(supergroup, 'x')).resolves.toMatchObject({ chat: { id: supergroup, type: 'supergroup' } });

    const service = (await pendingUpdates(tg)).slice(1).map((u) => u.message);
    expect(service).toEqual([
      expect.objectContaining({ chat: expect.objectContaining({ id: -800 }), migrate_to_chat_id: supergroup, from: expect.objectContaining({ id: 7 }) }),
      expect.objectContaining({ chat: expect.objectContaining({ id: supergroup }), migrate_from_chat_id: -800 }),
    ]);
  });

  it('injects channel posts as channel_post updates', async () => {
    tg = await startEmulator();
    const post = tg.sendChannelPost(-1001234567890, 'Новые данные загружены');
    const [update] = await pendingUpdates(tg);
    expect(update.channel_post).toEqual({ ...post, chat: { id: -1001234567890, type: 'channel', title: 'Channel -1001234567890' } });
    expect(update.channel_post.from).toBeUndefined();
    expect(update.channel_post.sender_chat.id).toBe(-1001234567890);
    await expect(telegram(tg).sendMessage(-1001234567890, 'ok')).resolves.toMatchObject({ chat: { type: 'channel' } });
  });

  it('leaveChat: the bot leaves a group, gets my_chat_member, and is then refused there', async () => {
    tg = await startEmulator();
    const t = telegram(tg);
    tg.sendText({ chatId: -900, userId: 7 }, '/start');
    tg.sendText(7, '/start');
    expect(await failure(t.leaveChat(7))).toBe("400 Bad Request: chat member status can't be changed in private chats");
    await expect(t.leaveChat(-900)).resolves.toBe(true);
    expect(await failure(t.sendMessage(-900, 'x'))).toBe('403 Forbidden: bot is not a member of the group chat');
    expect(await failure(t.getChat(-900))).toBe('403 Forbidden: bot is not a member of the group chat');
    tg.sendText({ chatId: -900, userId: 7 }, '/start');
    const updates = await pendingUpdates(tg);
    expect(updates.map((u) => u.message?.text ?? u.my_chat_member.new_chat_member.status)).toEqual(['/start', '/start', 'left']);
  });

  it('getChat and getChatMember describe known chats and members', async () => {
    tg = await startEmulator();
    const t = telegram(tg);
    tg.sendText({ chatId: -900, userId: 7, firstName: 'Анна' }, '/start');
    tg.sendText(8, '/start');
    expect(await t.getChat(-900)).toMatchObject({ id: -900, type: 'group', title: 'Group -900' });
    expect(await t.getChat(8)).toMatchObject({ id: 8, type: 'private', first_name: 'User 8' });
    expect(await t.getChatMember(-900, 7)).toMatchObject({ status: 'member', user: { id: 7, first_name: 'Анна' } });
    expect(await t.getChatMember(-900, tg.botInfo.id)).toMatchObject({ status: 'member', user: { is_bot: true } });
    expect(await t.getChatMember(-900, 8)).toMatchObject({ status: 'left' });
    expect(await failure(t.getChatMember(-900, 12345))).toBe('400 Bad Request: user not found');
    tg.createChat({ id: 9, type: 'private', first_name: 'Олег' });
    expect(await t.getChat(9)).toMatchObject({ id: 9, first_name: 'Олег' });
    expect(await t.getChatMember(9, 9)).toMatchObject({ status: 'member', user: { first_name: 'Олег' } });
  });
});

describe('telegram emulator: flood control', () => {
  const send = (t: ReturnType<typeof telegram>, chat: number) => failure(t.sendMessage(chat, 'x'));

  it('lets a burst into a chat, then ~1 message/s: 429 with retry_after', async () => {
    const clock = fakeClock();
    tg = await startEmulator({ clock: clock.read });
    const t = telegram(tg);
    tg.createChat(5);
    const burst = [];
    for (let i = 0; i < TELEGRAM_FLOOD_LIMITS.perChatBurst; i++) burst.push(await send(t, 5));
    expect(burst.every((r) => r === 'resolved')).toBe(true);

    const refused = await api(tg.apiRoot, tg.token, 'sendMessage', json({ chat_id: 5, text: 'x' }));
    expect(refused).toEqual({
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
    });
    clock.now += 1_000;
    expect(await send(t, 5)).toBe('resolved');
    expect(await send(t, 5)).toBe('429 Too Many Requests: retry after 1');
    expect(tg.sent(5)).toHaveLength(TELEGRAM_FLOOD_LIMITS.perChatBurst + 1); // refused messages are not delivered
  });

  it('allows 20 messages a minute in a group, an album counting each item', async () => {
    const clock = fakeClock();
    tg = await startEmulator({ clock: clock.read, floodLimits: { perChatBurst: 100 } });
    const t = telegram(tg);
    tg.sendText({ chatId: -500, userId: 7 }, '/start');
    for (let i = 0; i < 18; i++) {
      expect(await send(t, -500)).toBe('resolved');
      clock.now += 1_000;
    }
    const album = () => t.sendMediaGroup(-500, [0, 1, 2].map((i) => ({ type: 'document' as const, media: { source: Buffer.from(`${i}`), filename: `${i}.csv` } })));
    expect(await failure(album())).toBe('429 Too Many Requests: retry after 42'); // the oldest message leaves the minute 42 s later
    expect(await send(t, -500)).toBe('resolved');
    expect(await send(t, -500)).toBe('resolved');
    expect(await send(t, -500)).toMatch(/^429 Too Many Requests: retry after \d+$/);
    clock.now += 60_000;
    expect(await failure(album())).toBe('resolved');
  });

  it('allows ~30 messages a second over all chats', async () => {
    const clock = fakeClock();
    tg = await startEmulator({ clock: clock.read });
    const t = telegram(tg);
    const chats = Array.from({ length: 31 }, (_, i) => 100 + i);
    for (const c of chats) tg.createChat(c);
    for (const c of chats.slice(0, 30)) expect(await send(t, c)).toBe('resolved');
    expect(await send(t, chats[30])).toBe('429 Too Many Requests: retry after 1');
    clock.now += 1_000;
    expect(await send(t, chats[30])).toBe('resolved');
  });

  it('takes raised limits, or none at all', async () => {
    tg = await startEmulator({ floodLimits: { perChatBurst: 50, globalPerSecond: 100 } });
    tg.createChat(5);
    for (let i = 0; i < 50; i++) expect(await send(telegram(tg), 5)).toBe('resolved');
    await tg.close();

    tg = await startEmulator({ floodLimits: false });
    tg.createChat(-500);
    const t = telegram(tg);
    const results = await Promise.all(Array.from({ length: 100 }, () => send(t, -500)));
    expect(results.every((r) => r === 'resolved')).toBe(true);
  });
});

describe('telegram text parsing (tdlib behaviour)', () => {
  it('parses HTML like Telegram', () => {
    expect(parseHtml('a &lt;b&gt; &amp; <i>c</i> &ge; &#x41;')).toBe('a <b> & c &ge; A');
    expect(parseHtml('<a href="https://t.me/x?a=1&amp;b=2">link</a><blockquote expandable>q</blockquote>')).toBe('linkq');
    expect(parseHtml('<span class="tg-spoiler">s</span><pre><code class="language-ts">x</code></pre>')).toBe('sx');
    const error = (html: string) => {
      try {
        parseHtml(html);
        return 'ok';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(error('🏟 🏟&lt;<abacaba')).toBe('Unclosed start tag at byte offset 13');
    expect(error('🏟 🏟&lt;<abac aba>')).toBe('Unsupported start tag "abac" at byte offset 13');
    expect(error('🏟 🏟&lt;<i   =aba>')).toBe('Empty attribute name in the tag "i" at byte offset 13');
    expect(error('🏟 🏟&lt;<i    aba>')).toBe(`Can't find end tag corresponding to start tag "i"`);
    expect(error('🏟 🏟&lt;<b></b></')).toBe('Unexpected end tag at byte offset 20');
    expect(error('🏟 🏟&lt;<i>a</i   ')).toBe('Unclosed end tag at byte offset 17');
    expect(error('🏟 🏟&lt;<i>a</em   >')).toBe('Unmatched end tag at byte offset 17, expected "</i>", found "</em>"');
    expect(error('🏟 🏟&lt;<i    aba  =  190azAz-.,')).toBe('Unexpected end of name token at byte offset 27');
    expect(error('Клиент <Иванов>')).toBe('Unsupported start tag "Иванов" at byte offset 13');
  });

  it('parses MarkdownV2 like Telegram', () => {
    expect(parseMarkdownV2('*Риск* _высокий_ __u__ ~s~ ||sp|| `c\\`` [t](https://x.y/\\)) 1\\.5')).toBe('Риск высокий u s sp c` t 1.5');
    expect(parseMarkdownV2('```ts\nconst a = 1;\n```')).toBe('const a = 1;\n');
    expect(parseMarkdownV2('>quote\n>more')).toBe('quote\nmore');
    const error = (md: string) => {
      try {
        parseMarkdownV2(md);
        return 'ok';
      } catch (e) {
        return (e as Error).message;
      }
    };
    for (const c of ']()>#+-=|{}.!') {
      expect(error(`a${c}`)).toBe(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
    expect(error('🏟 🏟_abacaba')).toBe("Can't find end of Italic entity at byte offset 9");
    expect(error('🏟 🏟_abac * asd ')).toBe("Can't find end of Bold entity at byte offset 15");
    expect(error('🏟 🏟`')).toBe("Can't find end of Code entity at byte offset 9");
    expect(error('🏟 🏟```a ')).toBe("Can't find end of PreCode entity at byte offset 9");
    expect(error('[telegram\\.org](asd')).toBe("Can't find end of a URL at byte offset 16");
    expect(error('🏟 🏟__')).toBe("Can't find end of Underline entity at byte offset 9");
    expect(error('🏟 🏟||test\\|')).toBe("Can't find end of Spoiler entity at byte offset 9");
    expect(error('>\n*a*>2')).toBe("Character '>' is reserved and must be escaped with the preceding '\\'");
  });

  it('parses legacy Markdown', () => {
    expect(parseMarkdown('*b* _i_ `c` [t](http://x) a\\_b')).toBe('b i c t a_b');
    expect(() => parseMarkdown('snake_case')).toThrow("Can't find end of the entity starting at byte offset 5");
  });
});

describe('telegram emulator: webhook delivery', () => {
  const SECRET = 'w'.repeat(40);
  interface Received {
    path: string;
    secret: string | undefined;
    contentType: string | undefined;
    update: { update_id: number; [kind: string]: unknown };
  }
  let receiver: http.Server | undefined;
  const stopReceiver = () =>
    new Promise<void>((resolve) => {
      if (!receiver?.listening) return resolve();
      receiver.close(() => resolve());
      receiver.closeAllConnections();
    });
  afterEach(async () => {
    await stopReceiver();
    receiver = undefined;
  });

  /** A webhook endpoint that records each POST and answers with the next scripted status (then 200). */
  async function endpoint(script: (number | 'hang')[] = []) {
    const received: Received[] = [];
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined,
          contentType: req.headers['content-type'],
          update: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        const next = script.shift() ?? 200;
        if (next === 'hang') return; // never answers: the emulator's timeout decides
        res.writeHead(next).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/tg/hook`, received };
  }

  const fast = { webhook: { timeoutMs: 200, retryDelaysMs: [5, 5] } };

  it('POSTs each update as JSON with the secret header instead of serving getUpdates (409)', async () => {
    tg = await startEmulator(fast);
    const hook = await endpoint();
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    tg.sendText(7, 'before the webhook'); // queued updates go to the webhook once it is set
    await t.setWebhook(hook.url, { secret_token: SECRET, allowed_updates: ['message', 'callback_query'], max_connections: 1 });
    tg.sendText(7, '/start');
    await tg.waitUntilProcessed();

    expect(hook.received.map((r) => r.update.message)).toMatchObject([{ text: 'before the webhook' }, { text: '/start' }]);
    expect(hook.received.map((r) => r.update.update_id)).toEqual([1, 2]);
    expect(hook.received[0]).toMatchObject({ path: '/tg/hook', secret: SECRET, contentType: 'application/json' });
    expect(tg.webhookAttempts.map((a) => a.status)).toEqual([200, 200]);
    await expect(t.getUpdates(0, 100, 0, undefined)).rejects.toMatchObject({ response: { error_code: 409 } });
    await expect(t.getWebhookInfo()).resolves.toMatchObject({ url: hook.url, pending_update_count: 0, allowed_updates: ['message', 'callback_query'], max_connections: 1 });
  });

  it('has up to max_connections updates in flight (default 40): with more than one, a later update overtakes a slow earlier one', async () => {
    tg = await startEmulator(fast);
    const hook = await endpoint(['hang']);
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    await t.setWebhook(hook.url);
    await expect(t.getWebhookInfo()).resolves.toMatchObject({ max_connections: 40 });
    tg.sendText(7, 'slow'); // hangs until the 200 ms timeout, then is delivered again
    tg.sendText(7, 'fast');
    await tg.waitUntilProcessed();
    expect(tg.webhookAttempts.map((a) => [a.updateId, a.status])).toEqual([[2, 200], [1, 0], [1, 200]]);
    await expect(t.setWebhook(hook.url, { max_connections: 101 })).rejects.toMatchObject({
      description: 'Bad Request: bad webhook: max_connections must be between 1 and 100',
    });
  });

  it('re-delivers an update answered with a non-2xx status, then moves on; gives up after the bounded tries', async () => {
    tg = await startEmulator(fast);
    const hook = await endpoint([500, 401, 502, 503, 500]);
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    await t.setWebhook(hook.url, { secret_token: SECRET, max_connections: 1 });
    tg.sendText(7, 'first'); // 500, 401, then 502 on the last try: dropped
    tg.sendText(7, 'second'); // 503, 500, then 200
    await tg.waitUntilProcessed();

    expect(tg.webhookAttempts.map((a) => [a.updateId, a.attempt, a.status])).toEqual([
      [1, 1, 500], [1, 2, 401], [1, 3, 502],
      [2, 1, 503], [2, 2, 500], [2, 3, 200],
    ]);
    expect(hook.received.map((r) => r.update.update_id)).toEqual([1, 1, 1, 2, 2, 2]);
    await expect(t.getWebhookInfo()).resolves.toMatchObject({ last_error_message: 'Wrong response from the webhook: 500 Internal Server Error' });
  });

  it('re-delivers an update whose answer does not come within the timeout, and one the endpoint refused to connect', async () => {
    tg = await startEmulator(fast);
    const hook = await endpoint(['hang']);
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    await t.setWebhook(hook.url);
    tg.sendText(7, 'slow');
    await tg.waitUntilProcessed();
    expect(tg.webhookAttempts.map((a) => [a.status, a.error])).toEqual([[0, 'Read timeout expired'], [200, undefined]]);
    expect(hook.received[0].secret).toBeUndefined(); // no secret_token, no header

    await stopReceiver();
    tg.sendText(7, 'nobody listens');
    const refused = await tg.waitForWebhookAttempt((a) => a.updateId === 2);
    expect(refused).toMatchObject({ status: 0, error: expect.stringMatching(/^Connection failed: /) });
  });

  it('delivers only the allowed update kinds; deleteWebhook hands the queue back to getUpdates', async () => {
    tg = await startEmulator(fast);
    const hook = await endpoint();
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    await t.setWebhook(hook.url, { allowed_updates: ['message'] });
    tg.addBotToGroup(-300); // my_chat_member (not allowed), then a new_chat_members message
    await tg.waitUntilProcessed();
    expect(hook.received.map((r) => Object.keys(r.update).filter((k) => k !== 'update_id'))).toEqual([['message']]);

    await t.deleteWebhook();
    tg.sendText(7, 'polled');
    const updates = await t.getUpdates(0, 100, 0, undefined);
    expect(updates.map((u) => ('message' in u ? (u.message as { text?: string }).text : undefined))).toEqual(['polled']);
    expect(hook.received).toHaveLength(1);
  });

  it('refuses what Telegram refuses: http outside loopback, other ports, bad secret characters', async () => {
    tg = await startEmulator();
    const t = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } }).telegram;
    await expect(t.setWebhook('http://bot.example.com/hook')).rejects.toMatchObject({
      description: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
    });
    await expect(t.setWebhook('https://bot.example.com:8080/hook')).rejects.toMatchObject({
      description: 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443',
    });
    await expect(t.setWebhook('https://bot.example.com/hook', { secret_token: 'has spaces' })).rejects.toMatchObject({
      description: 'Bad Request: secret token contains unallowed characters',
    });
    await expect(t.setWebhook('https://bot.example.com:8443/hook', { secret_token: SECRET })).resolves.toBe(true);
    await expect(t.getWebhookInfo()).resolves.toMatchObject({ url: 'https://bot.example.com:8443/hook' });
  });
});
