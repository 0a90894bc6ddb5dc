/** Builds the Telegram bot from injected services; nothing global, nothing started here. */
import { Telegraf, type Context } from 'telegraf';
import { message } from 'telegraf/filters';
import { isAdmin, type AccessPolicy } from '../core/access.ts';
import type { ChatStateRepository, Logger, SubscriberRepository } from '../core/ports.ts';
import { shorten } from '../core/text.ts';
import type { Dialogue } from '../features/dialogue.ts';
import type { ChatUser } from '../features/feature.ts';
import * as M from '../messages.ts';
import { accessControl, rateLimit } from './access.ts';
import { decodeCallback } from './callbackData.ts';
import { ChatQueues } from './chatQueues.ts';
import { sendReplies } from './send.ts';
import { prepareBotApi } from './transport.ts';
import type { UpdateOrder } from './updateOrder.ts';

/** Adds Telegram-only handlers (documents) that the transport-free features cannot express. */
export type BotExtension = (bot: Telegraf<Context>, helpers: { user: (ctx: Context) => ChatUser }) => void;

export interface BotDeps {
  token: string;
  apiRoot?: string;
  dialogue: Dialogue;
  access: AccessPolicy;
  /** Where chat migrations and the bot's removal from a chat are recorded. */
  subscribers: Pick<SubscriberRepository, 'migrate' | 'unsubscribe'>;
  /** Refusals and request counts, shared with the other replicas. */
  chatState: ChatStateRepository;
  rateLimitPerMinute: number;
  log: Logger;
  /** Called for each handled update (audit log). */
  audit?: (entry: { userId: number; chatId: number; action: string }) => void;
  /** Edge handlers beyond the dialogue (document uploads). */
  extensions?: BotExtension[];
  /** Webhook replicas: one chat's updates in order across replicas too (updateOrder.ts); polling needs none. */
  order?: UpdateOrder;
}

export interface RunningBot {
  bot: Telegraf<Context>;
  /** Resolves when every update being handled has finished. */
  idle(): Promise<void>;
}

export function createBot(deps: BotDeps): RunningBot {
  const { log } = deps;
  const bot = new Telegraf<Context>(deps.token, {
    telegram: deps.apiRoot ? { apiRoot: deps.apiRoot } : {},
    handlerTimeout: 5 * 60_000,
  });
  prepareBotApi(bot.telegram, log);
  // telegraf builds a fresh Telegram client for every update, so each one needs it too.
  bot.use((ctx, next) => {
    prepareBotApi(ctx.telegram, log);
    return next();
  });

  const onError = async (err: unknown, ctx: Context) => {
    log.error('update failed', { updateId: ctx.update.update_id, error: (err as Error).message });
    if (ctx.chat && ctx.chat.type !== 'channel') await ctx.reply(M.CHAT.somethingWrong).catch(() => undefined);
  };
  // Handing the update to its chat's queue lets polling fetch the next batch at once; the
  // offset is confirmed before the answer is sent, and shutdown drains the queues (idle()).
  const queues = new ChatQueues();
  bot.use((ctx, next) => {
    // Album parts run side by side, as telegraf would run them, so the upload can answer once.
    const album = ctx.message && 'media_group_id' in ctx.message ? ctx.message.media_group_id : undefined;
    const chat = ctx.chat?.id ?? ctx.from?.id ?? 0;
    const run = () => next().catch((err) => onError(err, ctx));
    queues.push(album ? `${chat}:${album}:${ctx.update.update_id}` : chat, deps.order ? () => deps.order!.run(ctx.update, run) : run);
    return Promise.resolve();
  });

  // Telegram's own notices about a chat come before access: they are facts, not questions.
  bot.use(async (ctx, next) => {
    const msg = ctx.message as { migrate_to_chat_id?: number; migrate_from_chat_id?: number } | undefined;
    if (ctx.chat && msg?.migrate_to_chat_id !== undefined) {
      await deps.subscribers.migrate(ctx.chat.id, msg.migrate_to_chat_id);
      log.info('chat migrated to a supergroup', { from: ctx.chat.id, to: msg.migrate_to_chat_id });
      return;
    }
    if (ctx.chat && msg?.migrate_from_chat_id !== undefined) {
      await deps.subscribers.migrate(msg.migrate_from_chat_id, ctx.chat.id);
      return;
    }
    const member = ctx.myChatMember?.new_chat_member;
    if (ctx.chat && member && (member.status === 'left' || member.status === 'kicked')) {
      if (await deps.subscribers.unsubscribe(ctx.chat.id, 'blocked')) log.info('removed from a chat, unsubscribed', { chat: ctx.chat.type });
      return;
    }
    return next();
  });
  bot.use(accessControl(deps.access, deps.chatState, { log }));
  bot.use(rateLimit(deps.rateLimitPerMinute, deps.chatState));

  const user = (ctx: Context): ChatUser => ({
    chatId: ctx.chat?.id ?? ctx.from!.id,
    userId: ctx.from!.id,
    isAdmin: isAdmin(deps.access, ctx.from!.id),
  });

  for (const extend of deps.extensions ?? []) extend(bot, { user });

  bot.on(message('text'), async (ctx) => {
    const u = user(ctx);
    deps.audit?.({ userId: u.userId, chatId: u.chatId, action: shorten(ctx.message.text, 200) });
    await sendReplies(ctx.telegram, u.chatId, await deps.dialogue.handleText(u, ctx.message.text), log);
  });

  // Photos, stickers, voice in a private chat: say what the bot understands instead of staying
  // silent. In a team chat other messages are the team's own talk (and service notices).
  bot.on('message', async (ctx) => {
    if (ctx.chat.type === 'private') await ctx.reply(await deps.dialogue.hint());
  });

  bot.on('callback_query', async (ctx) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';
    const u = user(ctx);
    deps.audit?.({ userId: u.userId, chatId: u.chatId, action: `callback ${data}` });
    // Answered first so the button stops spinning; Telegram refuses answers to old queries
    // («query is too old»), which must never cost the answer itself.
    await ctx.answerCbQuery().catch((err: Error) => log.warn('callback answer failed', { error: err.message }));
    // An edit reply redraws the message the button sits on (a list page, a customer card).
    const pressed = ctx.callbackQuery.message ? { messageId: ctx.callbackQuery.message.message_id } : undefined;
    await sendReplies(ctx.telegram, u.chatId, await deps.dialogue.handleCallback(u, decodeCallback(data)), log, pressed);
  });

  bot.catch(onError);

  return { bot, idle: () => queues.idle() };
}

export async function registerCommands(bot: Telegraf<Context>, dialogue: Pick<Dialogue, 'menu'>): Promise<void> {
  await bot.telegram.setMyCommands(dialogue.menu());
}
