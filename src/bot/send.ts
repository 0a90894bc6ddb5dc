/** The one way a reply reaches Telegram, for answers and pushed messages (the digest) alike. */
import { Markup, type Telegram } from 'telegraf';
import type { Reply } from '../core/reply.ts';
import { encodeCallback } from './callbackData.ts';
import { CAPTION_LIMIT, MESSAGE_LIMIT } from './limits.ts';

function keyboard(reply: Extract<Reply, { type: 'text' }>) {
  if (!reply.buttons?.length) return {};
  return Markup.inlineKeyboard(reply.buttons.map((row) => row.map((b) => Markup.button.callback(b.text, encodeCallback(b.data)))));
}

const caption = (reply: { caption?: string }) => (reply.caption ? { caption: reply.caption.slice(0, CAPTION_LIMIT) } : {});

export async function sendReply(telegram: Telegram, chatId: number, reply: Reply): Promise<void> {
  if (reply.type === 'text') await telegram.sendMessage(chatId, reply.text.slice(0, MESSAGE_LIMIT), keyboard(reply));
  else if (reply.type === 'photo') await telegram.sendPhoto(chatId, { source: reply.png, filename: reply.fileName }, caption(reply));
  else await telegram.sendDocument(chatId, { source: reply.content, filename: reply.fileName }, caption(reply));
}

/** In order: text first, then its chart, so long text never hits the caption limit. */
export async function sendReplies(telegram: Telegram, chatId: number, replies: readonly Reply[]): Promise<void> {
  for (const reply of replies) await sendReply(telegram, chatId, reply);
}
