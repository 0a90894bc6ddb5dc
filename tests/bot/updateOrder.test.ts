/** The cross-replica order of one chat's updates, against a scripted store and clock. */
import { describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { storeUpdateOrder, updateChat } from '../../src/bot/updateOrder.ts';
import type { UpdateChat } from '../../src/core/ports.ts';

const update = (id: number, chat = 5, extra: Record<string, unknown> = {}) =>
  ({ update_id: id, message: { message_id: id, date: 0, chat: { id: chat, type: 'private' }, text: 'секрет клиента', ...extra } }) as unknown as Update;

function harness(busyLooks: number | 'forever' | 'throws') {
  let t = 0;
  const looks: { updateId: number; chat: UpdateChat; since: string }[] = [];
  const done: number[] = [];
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  const order = storeUpdateOrder({
    owner: 'me',
    claims: {
      waitsFor: async (updateId, owner, chat, since) => {
        expect(owner).toBe('me');
        looks.push({ updateId, chat, since });
        if (busyLooks === 'throws') throw new Error('connection refused');
        return busyLooks === 'forever' || looks.length <= busyLooks;
      },
      done: async (id) => void done.push(id),
    },
    log: { info: () => {}, warn: (msg, fields) => void warnings.push({ msg, fields }), error: () => {} },
    maxWaitMs: 1000,
    pollMs: 100,
    inFlightMs: 60_000,
    now: () => t,
    sleep: async (ms) => void (t += ms),
  });
  return { order, looks, done, warnings, time: () => t };
}

describe('update order across replicas', () => {
  it('waits while an earlier update of the chat runs elsewhere, then runs and marks the update done', async () => {
    const h = harness(3);
    const ran: number[] = [];
    await h.order.run(update(42), async () => void ran.push(h.time()));
    expect(ran).toEqual([300]);
    expect(h.looks).toHaveLength(4);
    expect(h.looks[0]).toEqual({ updateId: 42, chat: { chatId: 5, album: null }, since: new Date(-60_000).toISOString() });
    expect(h.done).toEqual([42]);
    expect(h.warnings).toEqual([]);
  });

  it('gives up after the longest wait and runs anyway, logging ids and times only', async () => {
    const h = harness('forever');
    let ran = false;
    await h.order.run(update(43), async () => void (ran = true));
    expect(ran).toBe(true);
    expect(h.time()).toBe(1000);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0].fields).toEqual({ updateId: 43, waitedMs: 1000 });
    expect(JSON.stringify(h.warnings)).not.toContain('секрет');
  });

  it('a failed update is marked done too; a store that cannot answer does not hold the update back', async () => {
    const h = harness('throws');
    await expect(h.order.run(update(44), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(h.done).toEqual([44]);
    expect(h.time()).toBe(0);
  });

  it('knows the chat and album of every update kind the bot gets', () => {
    expect(updateChat(update(1, 7, { media_group_id: 'g' }))).toEqual({ chatId: 7, album: 'g' });
    expect(updateChat({ update_id: 2, callback_query: { id: 'q', from: { id: 9 }, message: { chat: { id: -100 } } } } as unknown as Update)).toEqual({ chatId: -100 });
    expect(updateChat({ update_id: 3, callback_query: { id: 'q', from: { id: 9 } } } as unknown as Update)).toEqual({ chatId: 9 });
    expect(updateChat({ update_id: 4, my_chat_member: { chat: { id: -5 } } } as unknown as Update)).toEqual({ chatId: -5 });
    expect(updateChat({ update_id: 5, channel_post: { chat: { id: -7 } } } as unknown as Update)).toEqual({ chatId: -7, album: null });
    expect(updateChat({ update_id: 6 } as Update)).toBeNull();
  });
});
