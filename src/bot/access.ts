/**
 * Who the bot talks to. Customer data goes only to private chats of allowed users and to team
 * chats listed in ALLOWED_CHAT_IDS; the checks run on every update, before any handler.
 */
import type { Context, MiddlewareFn } from 'telegraf';
import { isTeamChat, mayAsk, type AccessPolicy } from '../core/access.ts';
import type { ChatStateRepository, Logger } from '../core/ports.ts';
import * as M from '../messages.ts';

export type { AccessPolicy } from '../core/access.ts';

export interface AccessOptions {
  log?: Logger;
  now?: () => number;
  /** How long a refused chat is remembered (one refusal notice per chat in that time). */
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

/** True the first time a chat is refused in `ttlMs`, across replicas: strangers get one notice, not one per message. */
const firstRefusal = (state: ChatStateRepository, chatId: number, ttlMs: number, now: number) =>
  state.once(`refused:${chatId}`, new Date(now + ttlMs).toISOString(), new Date(now).toISOString());

export function accessControl(policy: AccessPolicy, state: ChatStateRepository, opts: AccessOptions = {}): MiddlewareFn<Context> {
  const now = opts.now ?? Date.now;
  const ttlMs = opts.refusedTtlMs ?? 24 * 3_600_000;
  const refused = { add: (chatId: number) => firstRefusal(state, chatId, ttlMs, now()) };
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
      if (await refused.add(chat.id)) await ctx.reply(M.CHAT.accessDenied).catch(() => undefined);
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
    if (await refused.add(chat.id)) {
      await ctx.reply(M.CHAT.privateChatsOnly).catch(() => undefined);
      await ctx.leaveChat().catch(() => undefined);
    }
  };
}

/**
 * Per-chat requests per calendar minute, counted in the store so that replicas share one count;
 * excess requests get one short notice per minute. Each new minute this process also prunes
 * what has expired.
 */
export function rateLimit(perMinute: number, state: ChatStateRepository, now: () => number = Date.now): MiddlewareFn<Context> {
  let prunedMinute = '';
  return async (ctx, next) => {
    const chatId = ctx.chat?.id ?? ctx.from?.id;
    if (chatId === undefined) return next();
    const at = new Date(now()).toISOString();
    const minute = at.slice(0, 16);
    if (minute !== prunedMinute) {
      prunedMinute = minute;
      void state.prune(at).catch(() => undefined);
    }
    if ((await state.countHit(chatId, minute)) <= perMinute) return next();
    const first = await state.once(`rate:${chatId}:${minute}`, new Date(Date.parse(`${minute}:00Z`) + 60_000).toISOString(), at);
    if (ctx.callbackQuery) await ctx.answerCbQuery(M.CHAT.rateLimited).catch(() => undefined);
    else if (first) await ctx.reply(M.CHAT.rateLimited);
  };
}
