import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subscribeFeature, unsubscribeFeature } from '../../src/features/subscribe.ts';
import { openStore, type SqliteStore } from '../../src/data/sqlite/store.ts';

let store: SqliteStore;
beforeEach(() => (store = openStore(':memory:')));
afterEach(() => store.close());

function commands(next: string | null = 'понедельник, 30 ноября в 09:00 по Москве') {
  const subscribe = subscribeFeature({ subscribers: store.subscribers, nextDigest: () => next });
  const unsubscribe = unsubscribeFeature({ subscribers: store.subscribers });
  const say = async (cmd: typeof subscribe, chatId: number) => {
    const [reply] = await cmd.run({ chatId, userId: 7, isAdmin: false }, '');
    return reply.type === 'text' ? reply.text : '';
  };
  return { subscribe: (chat: number) => say(subscribe, chat), unsubscribe: (chat: number) => say(unsubscribe, chat) };
}

describe('/subscribe and /unsubscribe', () => {
  it('subscribes a chat once, says when the digest comes, and lets it go', async () => {
    const c = commands();
    expect(await c.subscribe(-100500)).toMatch(/Вы подписаны.*\n.*Следующая сводка — понедельник, 30 ноября в 09:00 по Москве/s);
    expect(await c.subscribe(-100500)).toMatch(/уже подписаны/);
    expect(await store.subscribers.active()).toMatchObject([{ chatId: -100500, userId: 7 }]);
    expect(await c.unsubscribe(-100500)).toMatch(/отписались/);
    expect(await c.unsubscribe(-100500)).toMatch(/не подписаны/);
    expect(await store.subscribers.active()).toEqual([]);
    expect(await c.subscribe(-100500)).toMatch(/Вы подписаны/);
  });

  it('the console cannot subscribe: nothing could be pushed to it', async () => {
    expect(await commands().subscribe(0)).toMatch(/приходит в Telegram/);
    expect(await store.subscribers.active()).toEqual([]);
  });

  it('a chat that blocked the bot can come back by subscribing again', async () => {
    const c = commands(null);
    await c.subscribe(42);
    await store.subscribers.unsubscribe(42, 'blocked');
    expect(await store.subscribers.isSubscribed(42)).toBe(false);
    expect(await c.subscribe(42)).toMatch(/^✅ Вы подписаны/);
    expect(await store.subscribers.isSubscribed(42)).toBe(true);
  });
});
