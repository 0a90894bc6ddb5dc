/** Builds the Telegram bot from injected services; nothing global, nothing started here. */
import { Telegraf, type Context } from 'telegraf';
import { message } from 'telegraf/filters';
import type { Logger } from '../core/ports.ts';
import type { Dialogue } from '../features/dialogue.ts';
import type { ChatUser } from '../features/feature.ts';
import * as M from '../messages.ts';
import { accessControl, rateLimit, type AccessPolicy } from './access.ts';
import { ChatQueues } from './chatQueues.ts';
import { installRetry } from './retry.ts';
import { decodeCallback } from './callbackData.ts';
import { sendReplies } from './send.ts';

/** Adds Telegram-only handlers (documents) that the transport-free features cannot express. */
export type BotExtension = (bot: Telegraf<Context>, helpers: { user: (ctx: Context) => ChatUser }) => void;

export interface BotDeps {
  token: string;
  apiRoot?: string;
  dialogue: Dialogue;
  access: AccessPolicy;
  rateLimitPerMinute: number;
  log: Logger;
  /** Called for each handled update (audit log). */
  audit?: (entry: { userId: number; chatId: number; action: string }) => void;
  /** Edge handlers beyond the dialogue (document uploads). */
  extensions?: BotExtension[];
}

export interface RunningBot {
  bot: Telegraf<Context>;
  /** Resolves when every update being handled has finished. */
  idle(): Promise<void>;
}

export function createBot(deps: BotDeps): RunningBot {
  const bot = new Telegraf<Context>(deps.token, {
    telegram: deps.apiRoot ? { apiRoot: deps.apiRoot } : {},
    handlerTimeout: 5 * 60_000,
  });
  installRetry(bot.telegram, deps.log);
  // telegraf builds a fresh Telegram client for every update, so each one needs the retry too.
  bot.use((ctx, next) => {
    installRetry(ctx.telegram, deps.log);
    return next();
  });

  const onError = async (err: unknown, ctx: Context) => {
    deps.log.error('update failed', { updateId: ctx.update.update_id, error: (err as Error).message });
    await ctx.reply(M.CHAT.somethingWrong).catch(() => undefined);
  };
  // Handing the update to its chat's queue lets polling fetch the next batch at once; the
  // offset is confirmed before the answer is sent, and shutdown drains the queues (idle()).
  const queues = new ChatQueues();
  bot.use((ctx, next) => {
    // Album parts run side by side, as telegraf would run them, so the upload can answer once.
    const album = ctx.message && 'media_group_id' in ctx.message ? ctx.message.media_group_id : undefined;
    const chat = ctx.chat?.id ?? ctx.from?.id ?? 0;
    queues.push(album ? `${chat}:${album}:${ctx.update.update_id}` : chat, () => next().catch((err) => onError(err, ctx)));
    return Promise.resolve();
  });
  bot.use(accessControl(deps.access, deps.log));
  bot.use(rateLimit(deps.rateLimitPerMinute));

  const user = (ctx: Context): ChatUser => ({
    chatId: ctx.chat?.id ?? ctx.from!.id,
    userId: ctx.from!.id,
    isAdmin: deps.access.admins.has(ctx.from!.id),
  });

  for (const extend of deps.extensions ?? []) extend(bot, { user });

  bot.on(message('text'), async (ctx) => {
    const u = user(ctx);
    deps.audit?.({ userId: u.userId, chatId: u.chatId, action: ctx.message.text.slice(0, 200) });
    await sendReplies(ctx.telegram, u.chatId, await deps.dialogue.handleText(u, ctx.message.text));
  });

  // Photos, stickers, voice: say what the bot understands instead of staying silent.
  bot.on('message', async (ctx) => {
    await ctx.reply(deps.dialogue.hint());
  });

  bot.on('callback_query', async (ctx) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';
    const u = user(ctx);
    deps.audit?.({ userId: u.userId, chatId: u.chatId, action: `callback ${data}` });
    // Answer first so the button stops spinning even if the work below is slow or fails.
    await ctx.answerCbQuery();
    await sendReplies(ctx.telegram, u.chatId, await deps.dialogue.handleCallback(u, decodeCallback(data)));
  });

  bot.catch(onError);

  return { bot, idle: () => queues.idle() };
}

export async function registerCommands(bot: Telegraf<Context>, dialogue: Pick<Dialogue, 'menu'>): Promise<void> {
  await bot.telegram.setMyCommands(dialogue.menu());
}
