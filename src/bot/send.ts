/** The one way a reply reaches Telegram, for answers and pushed messages (the digest) alike. */
import { Markup, type Telegram } from 'telegraf';
import type { Message } from 'telegraf/types';
import type { Reply } from '../core/reply.ts';
import { encodeCallback } from './callbackData.ts';
import { CAPTION_LIMIT, MESSAGE_LIMIT } from './limits.ts';

function keyboard(reply: Extract<Reply, { type: 'text' }>) {
  if (!reply.buttons?.length) return {};
  return Markup.inlineKeyboard(reply.buttons.map((row) => row.map((b) => Markup.button.callback(b.text, encodeCallback(b.data)))));
}

const caption = (reply: { caption?: string }) => (reply.caption ? { caption: reply.caption.slice(0, CAPTION_LIMIT) } : {});

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
  if (reply.type === 'text') await telegram.sendMessage(chatId, reply.text.slice(0, MESSAGE_LIMIT), keyboard(reply));
  else if (reply.type === 'photo') await sendMedia(telegram, 'photo', chatId, reply.png, reply.fileName, caption(reply));
  else await sendMedia(telegram, 'document', chatId, reply.content, reply.fileName, caption(reply));
}

/** In order: text first, then its chart, so long text never hits the caption limit. */
export async function sendReplies(telegram: Telegram, chatId: number, replies: readonly Reply[]): Promise<void> {
  for (const reply of replies) await sendReply(telegram, chatId, reply);
}
