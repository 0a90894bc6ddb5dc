/**
 * Telegram's flood control for the emulator: a bot that sends faster than Telegram tolerates gets
 * 429 "Too Many Requests: retry after N" instead of silently being served, so retry and throttle
 * code is exercised by ordinary tests.
 *
 * Telegram documents the limits only loosely ("avoid more than one message per second in a chat,
 * no more than 20 messages per minute in a group, about 30 messages per second overall") and
 * tolerates short bursts in a chat, hence the token bucket per chat next to the two windows.
 */

export interface FloodLimits {
  /** Messages a chat may get at once before the sustained rate applies. */
  perChatBurst: number;
  /** Sustained messages per second to one chat (Telegram: ~1). */
  perChatPerSecond: number;
  /** Messages per sliding minute to one group or supergroup (Telegram: 20). */
  perGroupPerMinute: number;
  /** Messages per sliding second over all chats (Telegram: ~30). */
  globalPerSecond: number;
}

/** Telegram's values, with a burst that ordinary request/answer traffic stays under. */
export const TELEGRAM_FLOOD_LIMITS: FloodLimits = {
  perChatBurst: 10,
  perChatPerSecond: 1,
  perGroupPerMinute: 20,
  globalPerSecond: 30,
};

/** Sliding-window counter: timestamps of what was let through in the last `windowMs`. */
class Window {
  private readonly stamps: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until `n` more fit, 0 when they fit now. */
  waitFor(n: number, now: number): number {
    while (this.stamps.length > 0 && this.stamps[0] <= now - this.windowMs) this.stamps.shift();
    const excess = this.stamps.length + n - this.limit;
    if (excess <= 0) return 0;
    // More than the whole window asked at once: it can never fit, but the caller still needs a finite answer.
    const oldest = this.stamps[Math.min(excess, this.stamps.length) - 1] ?? now;
    return Math.max(1, oldest + this.windowMs - now);
  }

  record(n: number, now: number): void {
    for (let i = 0; i < n; i++) this.stamps.push(now);
  }
}

class Bucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  waitFor(n: number, now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    return this.tokens >= n ? 0 : ((n - this.tokens) / this.perSecond) * 1000;
  }

  record(n: number): void {
    this.tokens -= n;
  }
}

export class FloodControl {
  private readonly limits: FloodLimits;
  private readonly chats = new Map<string, Bucket>();
  private readonly groups = new Map<string, Window>();
  private readonly global: Window;

  constructor(limits: Partial<FloodLimits>, private readonly clock: () => number) {
    this.limits = { ...TELEGRAM_FLOOD_LIMITS, ...limits };
    this.global = new Window(this.limits.globalPerSecond, 1000);
  }

  /**
   * Lets `n` messages to a chat through, or returns the whole seconds to wait (what Telegram puts
   * in parameters.retry_after). Nothing is counted when refused: Telegram drops refused messages.
   */
  take(chatId: string, isGroup: boolean, n: number): number {
    const now = this.clock();
    const bucket = this.chats.get(chatId) ?? new Bucket(this.limits.perChatBurst, this.limits.perChatPerSecond, now);
    this.chats.set(chatId, bucket);
    const group = isGroup ? (this.groups.get(chatId) ?? new Window(this.limits.perGroupPerMinute, 60_000)) : undefined;
    if (group) this.groups.set(chatId, group);
    const waitMs = Math.max(bucket.waitFor(n, now), group?.waitFor(n, now) ?? 0, this.global.waitFor(n, now));
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    bucket.record(n);
    group?.record(n, now);
    this.global.record(n, now);
    return 0;
  }
}
