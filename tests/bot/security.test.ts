/**
 * Who gets customer data, through the Bot API emulator behaving like Telegram (group privacy,
 * unknown chats, expiring callback queries): private chats of allowed users and listed team
 * chats only; strangers, channels and unlisted groups learn nothing and cannot flood the bot.
 */
import { describe, expect, it } from 'vitest';
import { withEmulatedBot } from '../support/emulatedBot.ts';
import { servedIds } from '../support/appFixture.ts';

const ADMIN = 100;
const MANAGER = 200;
const STRANGER = 666;
const TEAM = -1001234567890;
const GROUP = -4242;

const h = withEmulatedBot();
const start = () => h.startBot({ allowed: [MANAGER], admins: [ADMIN], teamChats: [TEAM] });

const botCalls = (method: string, chatId: number) => h.tg.calls.filter((c) => c.method === method && c.params.chat_id === chatId);

describe('group chats', () => {
  it('an allowed manager’s /export in an unlisted group posts no data: one notice, then the bot leaves', async () => {
    await start();
    h.tg.sendText({ chatId: GROUP, userId: MANAGER }, '/export at-risk');
    await h.tg.waitForCall((c) => c.method === 'leaveChat' && c.params.chat_id === GROUP);
    await h.tg.waitUntilProcessed();
    expect(botCalls('sendDocument', GROUP)).toHaveLength(0);
    const said = botCalls('sendMessage', GROUP);
    expect(said).toHaveLength(1);
    expect(String(said[0].params.text)).toMatch(/только в личных чатах/);
  });

  it('/subscribe in an unlisted group does not make it a digest subscriber', async () => {
    await start();
    h.tg.sendText({ chatId: GROUP - 1, userId: MANAGER }, '/subscribe');
    await h.tg.waitForCall((c) => c.method === 'leaveChat');
    expect(await h.fx.app.store.subscribers.isSubscribed(GROUP - 1)).toBe(false);
  });

  it('a stranger adding the bot to a group gets one notice and the bot leaves', async () => {
    await start();
    h.tg.addBotToGroup(GROUP - 2, { byUserId: STRANGER });
    await h.tg.waitForCall((c) => c.method === 'leaveChat' && c.params.chat_id === GROUP - 2);
    await h.tg.waitUntilProcessed();
    expect(botCalls('sendMessage', GROUP - 2)).toHaveLength(1);
  });

  it('in a listed team chat allowed users are answered and others get silence', async () => {
    await start();
    h.tg.createChat(TEAM);
    const [id] = (await servedIds(h.fx.app));
    h.tg.sendText({ chatId: TEAM, userId: MANAGER }, `/risk ${id}`);
    const answer = await h.tg.waitForMessage(TEAM);
    expect(answer.text).toContain(`Клиент ${id}`);
    h.tg.sendText({ chatId: TEAM, userId: STRANGER }, `/risk ${id}`);
    await h.tg.waitUntilProcessed();
    expect(botCalls('sendMessage', TEAM)).toHaveLength(1);
    expect(h.tg.calls.some((c) => c.method === 'leaveChat')).toBe(false);
  });

  it('a team chat that becomes a supergroup keeps its subscription and is still answered', async () => {
    const OLD = -777;
    await h.startBot({ allowed: [MANAGER], admins: [ADMIN], teamChats: [OLD] });
    h.tg.createChat(OLD);
    await h.fx.app.store.subscribers.subscribe(OLD, MANAGER);
    const NEW = h.tg.migrateToSupergroup(OLD, { byUserId: MANAGER });
    await h.tg.waitUntilProcessed();
    expect(await h.fx.app.store.subscribers.isSubscribed(NEW)).toBe(true);
    expect(await h.fx.app.store.subscribers.isSubscribed(OLD)).toBe(false);
    h.tg.sendText({ chatId: NEW, userId: MANAGER }, '/help');
    expect((await h.tg.waitForMessage(NEW)).text).toMatch(/Команды/);
    expect(h.tg.calls.some((c) => c.method === 'leaveChat')).toBe(false);
  });

  it('a team chat that removes the bot is unsubscribed', async () => {
    await start();
    h.tg.createChat(TEAM);
    await h.fx.app.store.subscribers.subscribe(TEAM, MANAGER);
    h.tg.kickBot(TEAM, { byUserId: MANAGER });
    await h.tg.waitUntilProcessed();
    expect(await h.fx.app.store.subscribers.isSubscribed(TEAM)).toBe(false);
    expect(botCalls('sendMessage', TEAM)).toHaveLength(0);
  });
});

describe('strangers and channels', () => {
  it('a stranger in a private chat gets one refusal, then silence, and no data', async () => {
    await start();
    const [id] = (await servedIds(h.fx.app));
    for (let i = 0; i < 3; i++) h.tg.sendText(STRANGER, `/risk ${id}`);
    await h.tg.waitUntilProcessed();
    const said = botCalls('sendMessage', STRANGER);
    expect(said).toHaveLength(1);
    expect(String(said[0].params.text)).toMatch(/только сотрудникам/);
    expect(botCalls('sendPhoto', STRANGER)).toHaveLength(0);
  });

  it('nothing is ever posted to a channel', async () => {
    await start();
    h.tg.sendChannelPost('@retention_news', '/risk 1');
    await h.tg.waitUntilProcessed();
    expect(h.tg.calls.filter((c) => c.method.startsWith('send'))).toHaveLength(0);
  });

  it('many strangers produce a bounded number of log lines', async () => {
    await start();
    const before = h.fx.logs.filter((l) => l.includes('access refused')).length;
    for (let i = 0; i < 50; i++) h.tg.sendText(10_000 + i, '/start');
    await h.tg.waitUntilProcessed();
    const lines = h.fx.logs.filter((l) => l.includes('access refused')).length - before;
    expect(lines).toBeLessThanOrEqual(1);
  });
});

describe('Telegram refusing part of an answer', () => {
  it('a callback answered too late still gets its segment, not an apology', async () => {
    await start();
    h.tg.sendText(MANAGER, '/segment');
    const keyboard = await h.tg.waitForMessage(MANAGER, { match: (m) => m.reply_markup !== undefined });
    const query = h.tg.pressButton(MANAGER, keyboard, 's:cart');
    h.tg.expireCallbackQuery(query);
    const answer = await h.tg.waitForMessage(MANAGER, { match: (m) => /🎯/.test(m.text ?? '') });
    expect(answer.text).toMatch(/Чемпионы по бросанию корзин/);
    await h.tg.waitUntilProcessed();
    expect(botCalls('sendMessage', MANAGER).some((c) => /Что-то пошло не так/.test(String(c.params.text)))).toBe(false);
  });

  it('a chart Telegram refuses costs only the chart: the text comes, then one short line', async () => {
    await start();
    h.tg.failNext('sendPhoto', { status: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
    h.tg.sendText(MANAGER, '/segment прибыльные');
    const text = await h.tg.waitForMessage(MANAGER, { match: (m) => /🎯/.test(m.text ?? '') });
    expect(text.text).toMatch(/Прибыльные под угрозой/);
    const note = await h.tg.waitForMessage(MANAGER, { match: (m) => /График не удалось отправить/.test(m.text ?? '') });
    expect(note).toBeDefined();
    expect(botCalls('sendMessage', MANAGER).some((c) => /Что-то пошло не так/.test(String(c.params.text)))).toBe(false);
  });
});
