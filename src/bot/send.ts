/** The one way a reply reaches Telegram, for answers and pushed messages (the digest) alike. */
import { Markup, type Telegram } from 'telegraf';
import type { Logger } from '../core/ports.ts';
import type { Reply } from '../core/reply.ts';
import { shorten } from '../core/text.ts';
import * as M from '../messages.ts';
import { encodeCallback } from './callbackData.ts';
import { CAPTION_LIMIT, MESSAGE_LIMIT } from './limits.ts';

function keyboard(reply: Extract<Reply, { type: 'text' }>) {
  if (!reply.buttons?.length) return {};
  return Markup.inlineKeyboard(reply.buttons.map((row) => row.map((b) => Markup.button.callback(b.text, encodeCallback(b.data)))));
}

const caption = (reply: { caption?: string }) => (reply.caption ? { caption: shorten(reply.caption, CAPTION_LIMIT) } : {});

export async function sendReply(telegram: Telegram, chatId: number, reply: Reply): Promise<void> {
  if (reply.type === 'text') await telegram.sendMessage(chatId, shorten(reply.text, MESSAGE_LIMIT), keyboard(reply));
  else if (reply.type === 'photo') await telegram.sendPhoto(chatId, { source: reply.png, filename: reply.fileName }, caption(reply));
  else await telegram.sendDocument(chatId, { source: reply.content, filename: reply.fileName }, caption(reply));
}

/**
 * An answer in order: text first, then its chart or file. A chart or file that still fails after
 * the client's retries costs only itself: it is logged and the chat gets one short line instead.
 */
export async function sendReplies(telegram: Telegram, chatId: number, replies: readonly Reply[], log?: Logger): Promise<void> {
  for (const reply of replies) {
    if (reply.type === 'text') {
      await sendReply(telegram, chatId, reply);
      continue;
    }
    try {
      await sendReply(telegram, chatId, reply);
    } catch (err) {
      log?.warn('attachment not sent', { type: reply.type, fileName: reply.fileName, error: (err as Error).message });
      await telegram.sendMessage(chatId, reply.type === 'photo' ? M.CHAT.chartNotSent : M.CHAT.fileNotSent);
    }
  }
}
