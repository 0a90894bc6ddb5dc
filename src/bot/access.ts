import type { MiddlewareFn, Context } from 'telegraf';
import * as M from '../messages.ts';
import type { Logger } from '../core/ports.ts';

export interface AccessPolicy {
  allowed: ReadonlySet<number>;
  admins: ReadonlySet<number>;
}

/** With no allowlist at all the bot is open (a trial set-up); admins are always allowed. */
export function isAllowed(policy: AccessPolicy, userId: number): boolean {
  if (policy.allowed.size === 0 && policy.admins.size === 0) return true;
  return policy.allowed.has(userId) || policy.admins.has(userId);
}

/** Strangers get one polite refusal per chat, then silence, and learn nothing about the data. */
export function accessControl(policy: AccessPolicy, log?: Logger): MiddlewareFn<Context> {
  const refused = new Set<number>();
  return async (ctx, next) => {
    const userId = ctx.from?.id;
    if (userId !== undefined && isAllowed(policy, userId)) return next();
    const chatId = ctx.chat?.id ?? userId ?? 0;
    log?.warn('access refused', { userId, chatId });
    if (ctx.callbackQuery) await ctx.answerCbQuery().catch(() => undefined);
    if (refused.has(chatId)) return;
    refused.add(chatId);
    if (ctx.chat) await ctx.reply(M.CHAT.accessDenied);
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
    return next();
  };
}
