import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSendThrottle } from '../../src/bot/throttle.ts';

afterEach(() => vi.useRealTimers());

describe('send throttle', () => {
  it('keeps a broadcast under 25 messages/s overall and 1/s per chat', async () => {
    vi.useFakeTimers({ now: 0 });
    const throttle = createSendThrottle({ perSecond: 25, perChatIntervalMs: 1000 });
    const sends: { chat: number; at: number }[] = [];
    // 60 chats × 3 messages, each chat sending its messages one after another, all chats at once.
    const chat = async (id: number) => {
      for (let i = 0; i < 3; i++) {
        await throttle.acquire(id);
        sends.push({ chat: id, at: Date.now() });
      }
    };
    const all = Promise.all(Array.from({ length: 60 }, (_, i) => chat(i)));
    await vi.runAllTimersAsync();
    await all;

    expect(sends).toHaveLength(180);
    const times = sends.map((s) => s.at).sort((a, b) => a - b);
    for (let i = 25; i < times.length; i++) expect(times[i] - times[i - 25]).toBeGreaterThanOrEqual(1000);
    for (let id = 0; id < 60; id++) {
      const own = sends.filter((s) => s.chat === id).map((s) => s.at);
      for (let i = 1; i < own.length; i++) expect(own[i] - own[i - 1]).toBeGreaterThanOrEqual(1000);
    }
    // …and it does not dawdle: 180 messages at 25/s take about 7.2 s, not one chat at a time.
    expect(times.at(-1)).toBeLessThan(8000);
  });
});
