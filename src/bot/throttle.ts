/**
 * Keeps broadcasts inside Telegram's limits (about 30 messages/s per bot, 1/s per chat) with a
 * margin, so a digest to many managers does not collect 429s in the first place.
 */

export interface SendThrottle {
  /**
   * Resolves when a message to `chatId` may go out. Calls for one chat must be sequential
   * (await the send before asking again); different chats may ask concurrently.
   */
  acquire(chatId: number): Promise<void>;
}

export interface ThrottleOptions {
  perSecond?: number;
  perChatIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createSendThrottle(opts: ThrottleOptions = {}): SendThrottle {
  const gapMs = 1000 / (opts.perSecond ?? 25);
  const perChatMs = opts.perChatIntervalMs ?? 1000;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  /** Earliest next send per chat. */
  const chatReady = new Map<number, number>();
  /** Earliest next send overall; slots are handed out in call order, so the gap always holds. */
  let nextSlot = 0;

  return {
    async acquire(chatId) {
      const ready = chatReady.get(chatId) ?? 0;
      if (ready > now()) await sleep(ready - now());
      const at = Math.max(now(), nextSlot);
      nextSlot = at + gapMs;
      chatReady.set(chatId, at + perChatMs);
      if (chatReady.size > 10_000) {
        for (const [id, t] of chatReady) if (t < now()) chatReady.delete(id);
      }
      if (at > now()) await sleep(at - now());
    },
  };
}
