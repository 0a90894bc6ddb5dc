/** The one way a reply reaches Telegram, for answers and pushed messages (the digest) alike. */
import { Markup, type Telegram } from 'telegraf';
import type { Logger } from '../core/ports.ts';
import type { Answer, Button, Reply } from '../core/reply.ts';
import { shorten } from '../core/text.ts';
import * as M from '../messages.ts';
import { encodeCallback } from './callbackData.ts';
import { CAPTION_LIMIT, MESSAGE_LIMIT } from './limits.ts';

const button = (b: Button) => (b.url !== undefined ? Markup.button.url(b.text, b.url) : Markup.button.callback(b.text, encodeCallback(b.data)));

function keyboard(reply: { buttons?: Button[][] }) {
  if (!reply.buttons?.length) return {};
  return Markup.inlineKeyboard(reply.buttons.map((row) => row.map(button)));
}

const caption = (reply: { caption?: string }) => (reply.caption ? { caption: shorten(reply.caption, CAPTION_LIMIT) } : {});

export async function sendReply(telegram: Telegram, chatId: number, reply: Reply): Promise<void> {
  if (reply.type === 'text') await telegram.sendMessage(chatId, shorten(reply.text, MESSAGE_LIMIT), keyboard(reply));
  else if (reply.type === 'photo') await telegram.sendPhoto(chatId, { source: reply.png, filename: reply.fileName }, caption(reply));
  else await telegram.sendDocument(chatId, { source: reply.content, filename: reply.fileName }, caption(reply));
}

const describe = (err: unknown) => (err as { response?: { description?: string } }).response?.description ?? (err as Error).message ?? String(err);
const errorCode = (err: unknown) => (err as { response?: { error_code?: number } }).response?.error_code;

/**
 * Redraws the message whose button was pressed. Pressing the same status twice redraws the same
 * text, which Telegram refuses as «message is not modified»: the message already shows it. A
 * message that can no longer be edited (deleted, too old) gets the new state as a new message.
 */
async function editReply(telegram: Telegram, chatId: number, messageId: number, reply: Extract<Answer, { type: 'edit' }>, log?: Logger): Promise<void> {
  const body = shorten(reply.text, MESSAGE_LIMIT);
  try {
    await telegram.editMessageText(chatId, messageId, undefined, body, keyboard(reply));
  } catch (err) {
    if (errorCode(err) !== 400) throw err;
    if (/message is not modified/i.test(describe(err))) return;
    log?.warn('edit refused, sending anew', { error: describe(err) });
    await telegram.sendMessage(chatId, body, keyboard(reply));
  }
}

/**
 * An answer in order: text first, then its chart or file. A chart or file that still fails after
 * the client's retries costs only itself: it is logged and the chat gets one short line instead.
 * `pressed` is the message whose button was pressed, which an edit reply replaces.
 */
export async function sendReplies(
  telegram: Telegram,
  chatId: number,
  replies: readonly Answer[],
  log?: Logger,
  pressed?: { messageId: number },
): Promise<void> {
  for (const reply of replies) {
    if (reply.type === 'edit') {
      if (pressed) await editReply(telegram, chatId, pressed.messageId, reply, log);
      else await sendReply(telegram, chatId, { ...reply, type: 'text' });
      continue;
    }
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
