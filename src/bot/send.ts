/** The one way a reply reaches Telegram, for answers and pushed messages (the digest) alike. */
import { Markup, type Telegram } from 'telegraf';
import type { Message } from 'telegraf/types';
import type { Logger } from '../core/ports.ts';
import { drawnPhoto, type Answer, type Button, type Photo, type Reply } from '../core/reply.ts';
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

// ---------------------------------------------------------------- file_id reuse

/**
 * Bytes this bot has already uploaded, by content: Telegram answers an upload with a file_id that
 * sends the same file again without the bytes (the digest's chart and CSV to every subscriber
 * after the first, a cached chart asked for twice). Kept per bot (a file_id is only valid for
 * the bot that uploaded it), bounded, and only a hint: a file_id Telegram refuses is forgotten
 * and the bytes are uploaded again.
 */
const MAX_FILE_IDS = 10_000;
const fileIds = new Map<string, Map<string, string>>();
const uploading = new Map<string, Promise<string | null>>();
const contentKeys = new WeakMap<Uint8Array, string>();

const botKey = (telegram: Telegram) => `${telegram.options.apiRoot}\n${telegram.token}`;

/** SHA-256 of the bytes, hashed off the event loop (WebCrypto) and once per Buffer object. */
async function contentKey(kind: string, bytes: Buffer): Promise<string> {
  let key = contentKeys.get(bytes);
  if (!key) {
    key = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('base64');
    contentKeys.set(bytes, key);
  }
  return `${kind}:${bytes.length}:${key}`;
}

function remember(bot: string, key: string, fileId: string): void {
  const ids = fileIds.get(bot) ?? new Map<string, string>();
  fileIds.set(bot, ids);
  ids.delete(key);
  ids.set(key, fileId);
  if (ids.size > MAX_FILE_IDS) ids.delete(ids.keys().next().value!);
}

const isBadRequest = (err: unknown) => (err as { response?: { error_code?: number } })?.response?.error_code === 400;

type Media = 'photo' | 'document';

function fileIdOf(kind: Media, message: Message): string | null {
  if (kind === 'photo' && 'photo' in message) return message.photo.at(-1)?.file_id ?? null;
  if (kind === 'document' && 'document' in message) return message.document.file_id;
  return null;
}

async function sendMedia(telegram: Telegram, kind: Media, chatId: number, bytes: Buffer, fileName: string, extra: { caption?: string }): Promise<void> {
  const send = (file: string | { source: Buffer; filename: string }) =>
    kind === 'photo' ? telegram.sendPhoto(chatId, file, extra) : telegram.sendDocument(chatId, file, extra);
  const bot = botKey(telegram);
  const key = await contentKey(kind, bytes);
  // The same bytes already on their way up for another chat: wait for their file_id.
  const known = fileIds.get(bot)?.get(key) ?? (await uploading.get(`${bot}\n${key}`));
  if (known) {
    try {
      await send(known);
      return;
    } catch (err) {
      if (!isBadRequest(err)) throw err;
      fileIds.get(bot)?.delete(key);
    }
  }
  const upload = send({ source: bytes, filename: fileName }).then((m) => fileIdOf(kind, m));
  const pending = `${bot}\n${key}`;
  uploading.set(pending, upload.catch(() => null));
  try {
    const fileId = await upload;
    if (fileId) remember(bot, key, fileId);
  } finally {
    uploading.delete(pending);
  }
}

export async function sendReply(telegram: Telegram, chatId: number, reply: Reply): Promise<void> {
  if (reply.type === 'text') await telegram.sendMessage(chatId, shorten(reply.text, MESSAGE_LIMIT), keyboard(reply));
  else if (reply.type === 'photo') await sendMedia(telegram, 'photo', chatId, reply.png, reply.fileName, caption(reply));
  else await sendMedia(telegram, 'document', chatId, reply.content, reply.fileName, caption(reply));
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
 * Resolves two turns of the event loop from now: after every card a burst's updates build in this
 * turn has been sent, and after the turn in which the HTTP client writes their requests.
 */
const afterTheCards = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * An answer in order: text first, then its chart or file. A later photo starts drawing once the
 * cards of this turn are on their way, so no card waits for a chart and the chart does not wait
 * for its card's round trip; it is sent after the messages before it. A chart or file that still
 * fails (to draw, or after the client's retries) costs only itself: it is logged and the chat gets
 * one short line instead. `pressed` is the message whose button was pressed, which an edit reply
 * replaces.
 */
export async function sendReplies(
  telegram: Telegram,
  chatId: number,
  replies: readonly Answer[],
  log?: Logger,
  pressed?: { messageId: number },
): Promise<void> {
  const drawing = new Map<Answer, Promise<Photo>>();
  for (const reply of replies) {
    if (reply.type !== 'later-photo') continue;
    const photo = afterTheCards().then(() => drawnPhoto(reply));
    photo.catch(() => undefined); // reported where it is awaited; unawaited if an earlier message failed
    drawing.set(reply, photo);
  }
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
      await sendReply(telegram, chatId, reply.type === 'later-photo' ? await drawing.get(reply)! : reply);
    } catch (err) {
      log?.warn('attachment not sent', { type: reply.type, fileName: reply.fileName, error: (err as Error).message });
      await telegram.sendMessage(chatId, reply.type === 'document' ? M.CHAT.fileNotSent : M.CHAT.chartNotSent);
    }
  }
}
