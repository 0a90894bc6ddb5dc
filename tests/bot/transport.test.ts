/**
 * The Bot API transport (src/bot/transport.ts): calls without files leave through undici, uploads
 * through telegraf's multipart, and every outcome looks to callers as telegraf's own did — the
 * result, TelegramError, FetchError with the socket's code, AbortError — without the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Telegram, TelegramError } from 'telegraf';
import { retryDelayMs, DEFAULT_RETRY } from '../../src/bot/retry.ts';
import { installTransport } from '../../src/bot/transport.ts';
import { startEmulator, tinyPng, type TelegramEmulator } from '../support/telegramEmulator.ts';

let tg: TelegramEmulator;
beforeAll(async () => {
  tg = await startEmulator();
});
afterAll(() => tg.close());

function client(apiRoot = tg.apiRoot, token = tg.token): Telegram {
  const telegram = new Telegram(token, { apiRoot });
  installTransport(telegram);
  return telegram;
}

const NODE_FETCH = /node-fetch/;

describe('Bot API transport', () => {
  it('sends a JSON call through undici and returns its result; a file upload stays multipart through telegraf', async () => {
    tg.sendText(501, 'hi');
    const telegram = client();
    const sent = await telegram.sendMessage(501, 'Риск 96 %', { reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] } });
    expect(sent.text).toBe('Риск 96 %');
    const call = tg.calls.findLast((c) => c.method === 'sendMessage')!;
    expect(call.params).toMatchObject({ chat_id: 501, text: 'Риск 96 %', reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] } });
    expect(call.userAgent ?? '').not.toMatch(NODE_FETCH);

    const photo = await telegram.sendPhoto(501, { source: tinyPng(), filename: 'risk.png' });
    const upload = tg.calls.findLast((c) => c.method === 'sendPhoto')!;
    expect(Object.keys(upload.files)).toEqual(['photo']);
    expect(upload.userAgent).toMatch(NODE_FETCH);
    // The same photo again by file_id is JSON again.
    await telegram.sendPhoto(501, photo.photo.at(-1)!.file_id);
    expect(tg.calls.findLast((c) => c.method === 'sendPhoto')!.userAgent ?? '').not.toMatch(NODE_FETCH);
  });

  it('leaves unset fields out, as telegraf does', async () => {
    tg.sendText(502, 'hi');
    await client().callApi('sendMessage', { chat_id: 502, text: 'x', reply_markup: null } as never);
    expect(tg.calls.findLast((c) => c.method === 'sendMessage')!.params).not.toHaveProperty('reply_markup');
  });

  it("turns Telegram's refusals and 5xx into TelegramError with the method, and never shows the token", async () => {
    const telegram = client();
    const refused = await telegram.sendMessage(999_001, 'x').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TelegramError);
    expect(refused).toMatchObject({ code: 400, description: expect.stringMatching(/chat not found/), on: { method: 'sendMessage' } });

    tg.sendText(503, 'hi');
    tg.failNext('sendMessage', { status: 500 });
    const failed = (await telegram.sendMessage(503, 'x').catch((e: unknown) => e)) as TelegramError;
    expect(failed).toBeInstanceOf(TelegramError);
    expect(failed.code).toBe(500);
    expect(retryDelayMs(failed, 1, DEFAULT_RETRY)).toBe(DEFAULT_RETRY.baseDelayMs);

    const unauthorized = (await client(tg.apiRoot, '123:wrong-token').getMe().catch((e: unknown) => e)) as TelegramError;
    expect(unauthorized.code).toBe(401);
    expect(unauthorized.message).not.toContain('wrong-token');
  });

  it('a network failure is a FetchError with its code, which polling and the retry treat as transient', async () => {
    const closed = await startEmulator();
    const apiRoot = closed.apiRoot;
    await closed.close();
    const err = (await client(apiRoot).getMe().catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.name).toBe('FetchError');
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).not.toContain(tg.token);
    expect(retryDelayMs(err, 1, DEFAULT_RETRY)).toBe(DEFAULT_RETRY.baseDelayMs);

    tg.sendText(504, 'hi');
    tg.failNext('sendMessage', { resetConnection: true });
    const reset = (await client().sendMessage(504, 'x').catch((e: unknown) => e)) as Error & { code?: string };
    expect(reset.name).toBe('FetchError');
    expect(retryDelayMs(reset, 1, DEFAULT_RETRY)).not.toBeNull();
  });

  it('an aborted call (polling stopping) rejects with AbortError', async () => {
    tg.failNext('getMe', { delayMs: 2000 });
    const abort = new AbortController();
    const pending = client().callApi('getMe', {}, { signal: abort.signal as never }).catch((e: unknown) => e);
    setTimeout(() => abort.abort(), 50);
    expect(((await pending) as Error).name).toBe('AbortError');
  });

  it('resolves an apiRoot with a path as telegraf does', async () => {
    // telegraf resolves `./bot<token>/<method>` against the root: a path without a trailing slash is replaced.
    const me = await client(`${tg.apiRoot}/ignored`).getMe();
    expect(me.is_bot).toBe(true);
  });
});
