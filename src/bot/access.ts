/**
 * Who the bot talks to. Customer data goes only to private chats of allowed users and to team
 * chats listed in ALLOWED_CHAT_IDS; the checks run on every update, before any handler.
 */
import type { Context, MiddlewareFn } from 'telegraf';
import { isTeamChat, mayAsk, type AccessPolicy } from '../core/access.ts';
import type { Logger } from '../core/ports.ts';
import * as M from '../messages.ts';
import { ExpiringSet } from './expiringSet.ts';

export type { AccessPolicy } from '../core/access.ts';

export interface AccessOptions {
  log?: Logger;
  now?: () => number;
  /** Chats remembered as refused; strangers must not grow memory without bound. */
  maxRefused?: number;
  refusedTtlMs?: number;
  /** At most one «access refused» log line per this many ms; the rest are counted into it. */
  logEveryMs?: number;
}

/** One log line per window however many strangers write, with how many were folded into it. */
function throttledLog(log: Logger | undefined, everyMs: number, now: () => number) {
  let last = -Infinity;
  let folded = 0;
  return (msg: string, fields: Record<string, unknown>) => {
    const t = now();
    if (t - last < everyMs) {
      folded++;
      return;
    }
    log?.warn(msg, { ...fields, ...(folded ? { alsoRefused: folded } : {}) });
    last = t;
    folded = 0;
  };
}

export function accessControl(policy: AccessPolicy, opts: AccessOptions = {}): MiddlewareFn<Context> {
  const now = opts.now ?? Date.now;
  const refused = new ExpiringSet<number>(opts.maxRefused ?? 10_000, opts.refusedTtlMs ?? 24 * 3_600_000, now);
  const logRefusal = throttledLog(opts.log, opts.logEveryMs ?? 60_000, now);

  return async (ctx, next) => {
    const chat = ctx.chat;
    const userId = ctx.from?.id;
    // Nothing is ever posted to a channel, and updates without a chat carry no question to answer.
    if (!chat || chat.type === 'channel') return;
    const allowedUser = userId !== undefined && mayAsk(policy, userId);
    if (chat.type === 'private') {
      if (allowedUser) return next();
      if (ctx.callbackQuery) await ctx.answerCbQuery().catch(() => undefined);
      logRefusal('access refused', { chat: 'private' });
      if (refused.add(chat.id)) await ctx.reply(M.CHAT.accessDenied).catch(() => undefined);
      return;
    }
    if (await isTeamChat(policy, chat.id)) {
      if (allowedUser) return next();
      // Others in a team chat get silence: the chat is shared, a refusal would be noise.
      if (ctx.callbackQuery) await ctx.answerCbQuery().catch(() => undefined);
      return;
    }
    // A group nobody listed: say once, without data, where the bot works, and leave.
    logRefusal('left an unlisted group', { chat: chat.type });
    if (refused.add(chat.id)) {
      await ctx.reply(M.CHAT.privateChatsOnly).catch(() => undefined);
      await ctx.leaveChat().catch(() => undefined);
    }
  };
}

/** Per-chat sliding window; excess requests get one short notice per window. */
export function rateLimit(perMinute: number, now: () => number = Date.now): MiddlewareFn<Context> {
  const hits = new Map<number, number[]>();
  const warned = new Set<number>();
  return async (ctx, next) => {
    const chatId = ctx.chat?.id ?? ctx.from?.id;
    if (chatId === undefined) return next();
    const t = now();
    const recent = (hits.get(chatId) ?? []).filter((x) => t - x < 60_000);
    if (recent.length >= perMinute) {
      hits.set(chatId, recent);
      if (ctx.callbackQuery) await ctx.answerCbQuery(M.CHAT.rateLimited).catch(() => undefined);
      else if (!warned.has(chatId)) await ctx.reply(M.CHAT.rateLimited);
      warned.add(chatId);
      return;
    }
    warned.delete(chatId);
    recent.push(t);
    hits.set(chatId, recent);
    // Windows of quiet chats are dropped, so the map holds only chats active in the last minute.
    if (hits.size > 1000) for (const [id, h] of hits) if (t - h[h.length - 1] >= 60_000) hits.delete(id);
    return next();
  };
}
