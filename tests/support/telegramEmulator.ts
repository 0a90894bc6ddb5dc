/**
 * An in-process Telegram Bot API emulator on node:http, for driving a real telegraf bot in tests.
 *
 *   const tg = await startEmulator();
 *   const bot = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot } });
 *   const polling = startPolling(bot);
 *   tg.sendText(42, '/start');
 *   const reply = await tg.waitForMessage(42);
 *   await polling.stop();
 *   await tg.close();
 *
 * Bot side: /bot<token>/<method> with JSON, urlencoded, query-string or multipart params; getUpdates
 * long polling; the send/edit/delete/callback methods answer with realistic objects and Telegram's
 * own error descriptions; uploads are kept byte-for-byte and served at /file/bot<token>/<path>.
 * Test side: simulated users (sendText, sendDocument, sendMediaGroup, pressButton), chats
 * (createChat, addBotToGroup, joinGroup, kickBot, blockBot, migrateToSupergroup, sendChannelPost),
 * inspection (calls, waitForCall, waitForMessage, sent, answeredCallbacks, webhookAttempts) and
 * faults (failNext, holdNext, expireCallbackQuery).
 *
 * Once setWebhook has a URL the updates are POSTed there with the secret header instead of being
 * served to getUpdates (which then answers 409), and re-delivered when the answer is not 2xx or
 * late (telegramWebhook.ts; EmulatorOptions.webhook makes the pauses short for tests).
 *
 * Like Telegram, and unlike a lenient mock (each can be relaxed through EmulatorOptions):
 *  - callback queries expire (callbackQueryTtlMs) and can be answered once;
 *  - group privacy: in groups the bot only gets commands, replies to it, @mentions and service messages;
 *  - the bot can only write to chats that exist for it (a user or chat the test created, or that
 *    wrote); kicked, blocked, left and migrated chats answer with Telegram's 400/403;
 *  - flood control answers 429 with retry_after past Telegram's per-chat, per-group and global rates.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { boundaryOf, parseMultipart, type UploadedFile } from './multipart.ts';
import { isParseMode, ParseEntitiesError, plainText } from './telegramText.ts';
import { extensionOf, guessMimeType, imageInfo } from './telegramMedia.ts';
import { FloodControl, type FloodLimits } from './telegramFlood.ts';
import { DEFAULT_MAX_CONNECTIONS, webhookProblem, WebhookSender, type WebhookAttempt, type WebhookDeliveryOptions } from './telegramWebhook.ts';

export type { UploadedFile } from './multipart.ts';
export { tinyPng } from './telegramMedia.ts';
export { TELEGRAM_FLOOD_LIMITS, type FloodLimits } from './telegramFlood.ts';
export type { WebhookAttempt, WebhookDeliveryOptions } from './telegramWebhook.ts';

// ---------------------------------------------------------------- public types

export type ChatId = number | string;
export type Params = Record<string, unknown>;
/** The `parameters` of an error answer (Telegram's ResponseParameters). */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

export interface ApiCall {
  method: string;
  /** Normalised: numeric ids are numbers, JSON fields (reply_markup, entities, media…) are parsed. */
  params: Params;
  /** Uploaded files by form field ("photo", "document", or an attach:// id); {} when none. */
  files: Record<string, UploadedFile>;
  /** Date.now() when the request arrived. */
  at: number;
  /** The request's User-Agent: which HTTP client the bot used. */
  userAgent?: string;
  /** Set when the emulator answered (or dropped the connection: ok false, error_code 0). */
  ok?: boolean;
  result?: unknown;
  error?: { error_code: number; description: string; parameters?: ResponseParameters };
}

/**
 * One injected failure. `{ status: 429, retryAfter: 1 }`, `{ status: 500 }`,
 * `{ status: 403, description: 'Forbidden: bot was blocked by the user' }`, `{ delayMs: 200 }`
 * (then answers normally, or with `status` if also given), `{ resetConnection: true }`.
 * `match` narrows it to some calls, e.g. `p => p.chat_id === 42`.
 */
export interface Fault {
  status?: number;
  description?: string;
  /** Seconds, for 429. Telegram only sends integers; fractions are allowed here to keep tests fast. */
  retryAfter?: number;
  delayMs?: number;
  resetConnection?: boolean;
  match?: (params: Params) => boolean;
  /** Set by holdNext: the call waits for `released` (or the emulator's close) before it is carried out. */
  hold?: { arrived(call: ApiCall): void; released: Promise<void> };
}

/** A call holdNext is keeping: `arrived` once it came in; `release()` lets Telegram carry it out and answer. */
export interface HeldCall {
  arrived: Promise<ApiCall>;
  release(): void;
}

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}
export interface TgChat {
  id: ChatId;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  first_name?: string;
  last_name?: string;
  username?: string;
}
export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}
export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_path?: string;
}
export interface TgPhotoSize extends TgFile {
  width: number;
  height: number;
}
export interface TgDocument extends TgFile {
  file_name?: string;
  mime_type?: string;
}
export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  [field: string]: unknown;
}
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}
export interface TgMessage {
  message_id: number;
  date: number;
  chat: TgChat;
  from?: TgUser;
  text?: string;
  entities?: TgEntity[];
  caption?: string;
  caption_entities?: TgEntity[];
  photo?: TgPhotoSize[];
  document?: TgDocument;
  media_group_id?: string;
  /** Only inline keyboards come back in messages (as in Telegram); see replyKeyboard() for the others. */
  reply_markup?: InlineKeyboard;
  reply_to_message?: TgMessage;
  edit_date?: number;
  [field: string]: unknown;
}
export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  chat_instance: string;
  data?: string;
}
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  channel_post?: TgMessage;
  callback_query?: TgCallbackQuery;
  my_chat_member?: TgChatMemberUpdated;
  [kind: string]: unknown;
}
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  at: number;
}
/** The bot's (or a user's) standing in a chat, as getChatMember and my_chat_member report it. */
export type MemberStatus = 'creator' | 'administrator' | 'member' | 'left' | 'kicked';
export interface TgChatMember {
  user: TgUser;
  status: MemberStatus;
  until_date?: number;
}
export interface TgChatMemberUpdated {
  chat: TgChat;
  from: TgUser;
  date: number;
  old_chat_member: TgChatMember;
  new_chat_member: TgChatMember;
}
/** A file the emulator knows: uploaded by the bot, sent by a simulated user, or given by URL (no bytes). */
export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  content: Buffer;
  fileName?: string;
  mimeType?: string;
  url?: string;
}

/** A simulated user: a private chat id, or the user and the chat they write in (group ids are negative). */
export type SimUser =
  | number
  | { chatId?: ChatId; userId?: number; firstName?: string; lastName?: string; username?: string; languageCode?: string };

export interface UserFile {
  fileName: string;
  content: Buffer;
  mimeType?: string;
  caption?: string;
}

export interface EmulatorOptions {
  token?: string;
  botUsername?: string;
  botName?: string;
  /**
   * Reject what Telegram rejects (default true): malformed HTML/MarkdownV2, texts over 4096 chars,
   * photos that are not images, callback_data over 64 bytes, unknown file ids, replies to missing messages…
   */
  strict?: boolean;
  /** Age after which answerCallbackQuery fails like Telegram's (default 15000, Telegram's ~15 s). */
  callbackQueryTtlMs?: number;
  /**
   * Privacy mode, on by default as for any bot BotFather creates: in groups the bot only gets
   * commands (not those addressed to another bot), replies to its messages, @mentions of it and
   * service messages. getMe's can_read_all_group_messages follows it.
   */
  groupPrivacy?: boolean;
  /** Sending to a chat that never appeared (no test-created user/chat, no message) is 400 "chat not found" (default true). */
  knownChatsOnly?: boolean;
  /** Flood control: Telegram's limits by default, some raised, or false for none. */
  floodLimits?: Partial<FloodLimits> | false;
  /** Milliseconds now, for callback query ages and flood windows (default Date.now); a test can drive time with it. */
  clock?: () => number;
  /** Webhook delivery: answer timeout and the pauses between re-deliveries (Telegram-like by default). */
  webhook?: WebhookDeliveryOptions;
}

export interface WaitOptions {
  /** Default 5000. */
  timeoutMs?: number;
  /** Only consider calls at this index of `calls` or later (e.g. `tg.calls.length` taken earlier). */
  since?: number;
}

// ---------------------------------------------------------------- internals

class ApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }
}
const badRequest = (description: string) => new ApiError(400, `Bad Request: ${description}`);
const QUERY_TOO_OLD = 'query is too old and response timeout expired or query ID is invalid';
const tooManyRequests = (retryAfter: number) =>
  new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

/** Fields of the service messages Telegram delivers to a bot in privacy mode. */
const SERVICE_FIELDS = [
  'new_chat_members', 'left_chat_member', 'new_chat_title', 'new_chat_photo', 'delete_chat_photo',
  'group_chat_created', 'supergroup_chat_created', 'migrate_to_chat_id', 'migrate_from_chat_id', 'pinned_message',
];

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden: bot was blocked by the user',
  404: 'Not Found',
  409: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

const MEDIA_METHODS = {
  sendPhoto: 'photo',
  sendDocument: 'document',
  sendAudio: 'audio',
  sendVideo: 'video',
  sendAnimation: 'animation',
  sendVoice: 'voice',
  sendVideoNote: 'video_note',
  sendSticker: 'sticker',
} as const;
type MediaKind = (typeof MEDIA_METHODS)[keyof typeof MEDIA_METHODS];
const MEDIA_DIRS: Record<MediaKind, string> = {
  photo: 'photos',
  document: 'documents',
  audio: 'music',
  video: 'videos',
  animation: 'animations',
  voice: 'voice',
  video_note: 'video_notes',
  sticker: 'stickers',
};
const SENDING_METHODS = new Set<string>(['sendMessage', 'sendMediaGroup', ...Object.keys(MEDIA_METHODS)]);

const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);
const JSON_PARAMS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'media', 'commands', 'scope', 'allowed_updates',
  'link_preview_options', 'reply_parameters', 'results', 'options',
]);
const INT_PARAMS = new Set([
  'chat_id', 'message_id', 'offset', 'limit', 'timeout', 'reply_to_message_id', 'from_chat_id',
  'user_id', 'cache_time', 'message_thread_id',
]);
const BOOL_PARAMS = new Set([
  'disable_notification', 'show_alert', 'drop_pending_updates', 'protect_content',
  'disable_web_page_preview', 'disable_content_type_detection', 'allow_sending_without_reply',
]);
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message';

interface StoredMessage {
  message: TgMessage;
  fromBot: boolean;
  /** Text/caption as the bot sent it (before parse_mode), to detect "message is not modified". */
  source?: { text: string; parseMode?: string };
}
interface ChatState {
  chat: TgChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  replyKeyboard?: Record<string, unknown>;
  /** The bot's own status: 'kicked' in a private chat means the user blocked it. */
  botStatus: MemberStatus;
  /** Users seen writing in the chat, for getChatMember. */
  members: Map<number, TgUser>;
  /** Set once a group became a supergroup: the old id only answers with an error. */
  migratedTo?: number;
}
const isGroup = (chat: TgChat) => chat.type === 'group' || chat.type === 'supergroup';

const now = () => Math.floor(Date.now() / 1000);
const int = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const compact = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function normalizeParams(raw: Params): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(raw)) {
    let v = value;
    if (typeof v === 'string') {
      if (JSON_PARAMS.has(key) && /^\s*[[{]/.test(v)) {
        try {
          v = JSON.parse(v);
        } catch {
          throw badRequest(key === 'reply_markup' ? "can't parse reply keyboard markup JSON object" : `can't parse ${key} JSON`);
        }
      } else if (INT_PARAMS.has(key) && /^-?\d+$/.test(v)) v = Number(v);
      else if (BOOL_PARAMS.has(key) && (v === 'true' || v === 'false')) v = v === 'true';
    }
    params[key] = v;
  }
  return params;
}

function parseRequest(contentType: string | undefined, body: Buffer, query: URLSearchParams) {
  const raw: Params = Object.fromEntries(query);
  let files: Record<string, UploadedFile> = {};
  const type = (contentType ?? '').toLowerCase();
  if (body.length > 0) {
    if (type.startsWith('application/json')) {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        throw badRequest("can't parse JSON");
      }
      Object.assign(raw, asRecord(json));
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      Object.assign(raw, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    } else if (type.startsWith('multipart/form-data')) {
      const boundary = boundaryOf(contentType ?? '');
      if (!boundary) throw badRequest('multipart boundary is missing');
      const data = parseMultipart(body, boundary);
      Object.assign(raw, data.fields);
      files = data.files;
    }
  }
  return { params: normalizeParams(raw), files };
}

function readBody(req: IncomingMessage, limit = 60 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new ApiError(413, 'Request Entity Too Large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** bot_command entities for "/cmd" and "/cmd@bot" at the start of the text or after whitespace. */
function commandEntities(text: string): TgEntity[] {
  const entities: TgEntity[] = [];
  const re = /(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)(?![A-Za-z0-9_@])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    entities.push({ type: 'bot_command', offset: m.index + m[1].length, length: m[2].length });
  }
  return entities;
}

function describeCall(call: ApiCall, index: number): string {
  let params = JSON.stringify(call.params);
  if (params.length > 200) params = `${params.slice(0, 200)}…`;
  const files = Object.values(call.files)
    .map((f) => ` +${f.field}=${f.fileName}(${f.content.length} B)`)
    .join('');
  const outcome = call.ok === undefined ? 'pending' : call.ok ? 'ok' : `${call.error?.error_code} ${call.error?.description}`;
  return `  #${index} ${call.method} ${params}${files} → ${outcome}`;
}

// ---------------------------------------------------------------- the emulator

export class TelegramEmulator {
  readonly token: string;
  /** What getMe returns. */
  readonly botInfo: TgUser & { can_join_groups: boolean; can_read_all_group_messages: boolean; supports_inline_queries: boolean };
  /** http://127.0.0.1:PORT, set once listening. */
  apiRoot = '';
  /** Every Bot API call, in arrival order (getUpdates included). */
  readonly calls: ApiCall[] = [];
  readonly answeredCallbacks: CallbackAnswer[] = [];

  private readonly strict: boolean;
  private readonly callbackQueryTtlMs: number;
  private readonly groupPrivacy: boolean;
  private readonly knownChatsOnly: boolean;
  private readonly flood: FloodControl | undefined;
  private readonly clock: () => number;
  private readonly server: http.Server;
  private closing = false;
  private updates: TgUpdate[] = [];
  private nextUpdateId = 1;
  private readonly polls = new Set<(closing?: boolean) => void>();
  private wakeScheduled = false;
  private readonly chats = new Map<string, ChatState>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private readonly faults = new Map<string, (Fault & { left: number })[]>();
  /** Unanswered callback queries with the clock time of the press. */
  private readonly pendingQueries = new Map<string, { query: TgCallbackQuery; at: number }>();
  private readonly users = new Map<number, TgUser>();
  private readonly commands = new Map<string, unknown>();
  private readonly webhook: WebhookSender<TgUpdate>;
  private seq = { file: 0, callback: 0, mediaGroup: 0 };
  /** Re-evaluated whenever a call completes or updates get confirmed; used by the wait* helpers. */
  private readonly watchers = new Set<{ check: () => void; cancel: () => void }>();
  private readonly claimed = new WeakSet<ApiCall>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly holds = new Set<() => void>();

  constructor(options: EmulatorOptions = {}) {
    this.token = options.token ?? '123456789:TEST-emulator-token';
    this.strict = options.strict ?? true;
    this.callbackQueryTtlMs = options.callbackQueryTtlMs ?? 15_000;
    this.groupPrivacy = options.groupPrivacy ?? true;
    this.knownChatsOnly = options.knownChatsOnly ?? true;
    this.clock = options.clock ?? Date.now;
    this.flood = options.floodLimits === false ? undefined : new FloodControl(options.floodLimits ?? {}, this.clock);
    this.webhook = new WebhookSender<TgUpdate>(
      {
        pending: () => this.updates,
        remove: (update) => {
          this.updates = this.updates.filter((u) => u !== update);
          this.changed();
        },
        changed: () => this.changed(),
        sleep: (ms) => this.sleep(ms),
      },
      options.webhook,
    );
    this.botInfo = {
      id: Number(this.token.split(':')[0]) || 123456789,
      is_bot: true,
      first_name: options.botName ?? 'Test Bot',
      username: options.botUsername ?? 'test_bot',
      can_join_groups: true,
      can_read_all_group_messages: !this.groupPrivacy,
      supports_inline_queries: false,
    };
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        respond(res, 500, { ok: false, error_code: 500, description: `Internal Server Error (emulator: ${String(e)})` });
      });
    });
    this.server.keepAliveTimeout = 60_000; // clients reuse sockets; never race them closing
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Ends pending long polls and delayed answers, drops every socket and stops listening. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.webhook.close();
    for (const wake of [...this.polls]) wake(true);
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.wake();
    }
    for (const release of this.holds) release();
    // Pending waits can only belong to tests that already finished: drop them silently rather
    // than rejecting into an unhandled rejection.
    for (const w of this.watchers) w.cancel();
    this.watchers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------ test side: users

  /** A text message from a user; "/cmd" and "/cmd@bot" get bot_command entities. */
  sendText(user: SimUser, text: string, extra: Partial<TgMessage> = {}): TgMessage {
    const entities = commandEntities(text);
    return this.userMessage(user, { text, ...(entities.length ? { entities } : {}) }, extra);
  }

  /** A document from a user; getFile and the download URL serve `content`. */
  sendDocument(user: SimUser, file: UserFile, extra: Partial<TgMessage> = {}): TgMessage {
    return this.userMessage(user, this.userDocument(file), extra);
  }

  /** A photo from a user (content should be an image; see tinyPng). */
  sendPhoto(user: SimUser, photo: { content: Buffer; caption?: string }, extra: Partial<TgMessage> = {}): TgMessage {
    const stored = this.registerFile('photo', photo.content, {});
    return this.userMessage(user, { ...this.mediaField('photo', stored), ...compact({ caption: photo.caption }) }, extra);
  }

  /** Several documents sent at once: one message (and update) each, all with the same media_group_id. */
  sendMediaGroup(user: SimUser, files: UserFile[]): TgMessage[] {
    const media_group_id = String(13_000_000_000_000_000 + ++this.seq.mediaGroup);
    return files.map((file) => this.userMessage(user, { ...this.userDocument(file), media_group_id }));
  }

  /**
   * The user presses an inline button of a message currently in the chat. `callbackData` matches a
   * button's callback_data, or else its text. Throws if there is no such button (keyboard gone,
   * message deleted). Returns the callback query id; see answeredCallbacks.
   */
  pressButton(user: SimUser, message: Pick<TgMessage, 'message_id'> & { chat: { id: ChatId } }, callbackData: string): string {
    const { from } = this.resolveUser(user);
    const chat = this.chats.get(String(message.chat.id));
    const entry = chat?.messages.get(message.message_id);
    if (!chat || !entry) {
      throw new Error(`pressButton: message ${message.message_id} in chat ${message.chat.id} does not exist (deleted?)`);
    }
    const buttons = entry.message.reply_markup?.inline_keyboard.flat() ?? [];
    const button =
      buttons.find((b) => b.callback_data === callbackData) ??
      buttons.find((b) => b.text === callbackData && b.callback_data !== undefined);
    if (!button) {
      const list = buttons.map((b) => `"${b.text}" → ${b.callback_data ?? b.url ?? '?'}`).join(', ');
      throw new Error(
        `pressButton: message ${message.message_id} has no button "${callbackData}"; buttons: ${list || 'none'}`,
      );
    }
    const query: TgCallbackQuery = {
      id: String(4_000_000_000_000_000 + ++this.seq.callback),
      from,
      message: entry.message,
      chat_instance: String(-Math.abs(Number(chat.chat.id) * 7919) || 1),
      data: button.callback_data,
    };
    this.pendingQueries.set(query.id, { query, at: this.clock() });
    this.pushUpdate({ callback_query: query });
    return query.id;
  }

  /**
   * Makes a pressed button's query (or every unanswered one) older than callbackQueryTtlMs, as if
   * the bot got to it too late: answering it is then refused like Telegram refuses it.
   */
  expireCallbackQuery(queryId?: string): void {
    for (const [id, pending] of this.pendingQueries) if (queryId === undefined || id === queryId) pending.at = -Infinity;
  }

  // ------------------------------------------------------------ test side: chats

  /**
   * A chat that exists for the bot without a message in it yet: a user who started the bot some
   * time ago (a digest subscriber), or a group the bot is already in. Ids: > 0 private,
   * -100… supergroup, other negative ids basic groups, '@name' channels; `type` etc. override.
   */
  createChat(chat: ChatId | (Partial<TgChat> & { id: ChatId })): TgChat {
    const spec = typeof chat === 'object' ? chat : { id: chat };
    const state = this.chatState(spec.id);
    // A private chat is its user: registering them lets getChatMember know them.
    if (state.chat.type === 'private') {
      this.resolveUser({ chatId: spec.id, firstName: spec.first_name, lastName: spec.last_name, username: spec.username });
    }
    state.chat = compact({ ...state.chat, ...spec });
    return state.chat;
  }

  /** A user adds the bot to a group (created if new): my_chat_member, then the new_chat_members service message. */
  addBotToGroup(groupId: ChatId, options: { byUserId?: number; title?: string } = {}): TgMessage {
    const existed = this.chats.get(String(groupId));
    const by = { chatId: groupId, userId: options.byUserId };
    const { from, chat } = this.resolveUser(by);
    if (!isGroup(chat.chat)) throw new Error(`addBotToGroup: ${groupId} is not a group id (groups are negative)`);
    if (options.title) chat.chat = { ...chat.chat, title: options.title };
    this.setBotStatus(chat, 'member', from, existed?.botStatus ?? 'left');
    return this.userMessage(by, { new_chat_members: [this.botUser()] });
  }

  /** A user joins a group: the new_chat_members service message (delivered despite privacy mode). */
  joinGroup(user: SimUser): TgMessage {
    const { from } = this.resolveUser(user);
    return this.userMessage(user, { new_chat_members: [from] });
  }

  /** An admin removes the bot from a group: my_chat_member; sends then get 403 "bot was kicked". */
  kickBot(groupId: ChatId, options: { byUserId?: number } = {}): void {
    const { from, chat } = this.resolveUser({ chatId: groupId, userId: options.byUserId });
    if (chat.chat.type === 'private') throw new Error('kickBot: a private chat is left by blocking: use blockBot');
    this.setBotStatus(chat, 'kicked', from);
  }

  /** The user blocks the bot: my_chat_member; sends then get 403 "bot was blocked by the user" until the user writes again. */
  blockBot(userId: number): void {
    const { from, chat } = this.resolveUser(userId);
    this.setBotStatus(chat, 'kicked', from);
  }

  /**
   * A basic group becomes a supergroup: the old group gets a migrate_to_chat_id service message,
   * the new one migrate_from_chat_id; the old id then answers 400 with parameters.migrate_to_chat_id.
   * Returns the supergroup's id.
   */
  migrateToSupergroup(groupId: ChatId, options: { byUserId?: number; supergroupId?: number } = {}): number {
    const old = this.chats.get(String(groupId));
    if (!old || old.chat.type !== 'group' || old.migratedTo !== undefined) {
      throw new Error(`migrateToSupergroup: ${groupId} is not a known basic group`);
    }
    const id = options.supergroupId ?? Number(`-100${String(Math.abs(Number(groupId))).padStart(10, '0')}`);
    const next = this.chatState(id);
    next.chat = compact({ id, type: 'supergroup', title: old.chat.title });
    next.botStatus = old.botStatus;
    next.members = new Map(old.members);
    const userId = options.byUserId ?? [...old.members.keys()][0];
    this.userMessage({ chatId: groupId, userId }, { migrate_to_chat_id: id });
    old.migratedTo = id;
    this.userMessage({ chatId: id, userId }, { migrate_from_chat_id: Number(groupId) });
    return id;
  }

  /** A post in a channel where the bot is an admin: a channel_post update (no `from`, sender_chat is the channel). */
  sendChannelPost(channelId: ChatId, text: string, extra: Partial<TgMessage> = {}): TgMessage {
    const state = this.chatState(channelId);
    if (state.chat.type !== 'channel') state.chat = { id: state.chat.id, type: 'channel', title: `Channel ${channelId}` };
    const entities = commandEntities(text);
    const message: TgMessage = {
      message_id: state.nextMessageId++,
      sender_chat: state.chat,
      chat: state.chat,
      date: now(),
      text,
      ...(entities.length ? { entities } : {}),
      ...extra,
    };
    state.messages.set(message.message_id, { message, fromBot: false });
    this.pushUpdate({ channel_post: message });
    return message;
  }

  /** Queues any update (my_chat_member, edited_message…); update_id is assigned. */
  pushUpdate(update: Omit<TgUpdate, 'update_id'>): TgUpdate {
    const full = { update_id: this.nextUpdateId++, ...update } as TgUpdate;
    this.updates.push(full);
    // Wake long polls once the current synchronous burst is queued, so an album arrives in one batch.
    if (!this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(() => {
        this.wakeScheduled = false;
        for (const wake of [...this.polls]) wake();
        this.webhook.kick();
      });
    }
    return full;
  }

  // ------------------------------------------------------------ test side: inspection

  /** Messages the bot sent to a chat that still exist, in their current (edited) state. */
  sent(chatId: ChatId): TgMessage[] {
    return this.history(chatId).filter((m) => m.from?.id === this.botInfo.id);
  }

  /** Every message currently in a chat, user and bot, oldest first. */
  history(chatId: ChatId): TgMessage[] {
    const chat = this.chats.get(String(chatId));
    return chat ? [...chat.messages.values()].map((m) => m.message).sort((a, b) => a.message_id - b.message_id) : [];
  }

  /** The reply keyboard the user currently sees in a chat (last ReplyKeyboardMarkup, until removed). */
  replyKeyboard(chatId: ChatId): Record<string, unknown> | undefined {
    return this.chats.get(String(chatId))?.replyKeyboard;
  }

  /** A file by file_id, with its bytes. */
  file(fileId: string): StoredFile | undefined {
    return this.files.get(fileId);
  }

  /** Every POST of an update to the webhook, in order, with the answer's status. */
  get webhookAttempts(): readonly WebhookAttempt[] {
    return this.webhook.attempts;
  }

  /** Resolves with the first webhook attempt (from index `since`) that matches. */
  waitForWebhookAttempt(match: (attempt: WebhookAttempt) => boolean, options: WaitOptions = {}): Promise<WebhookAttempt> {
    return this.waitFor('waitForWebhookAttempt()', options.timeoutMs, () => this.webhook.attempts.slice(options.since ?? 0).find(match));
  }

  /** Updates queued and not yet confirmed by the bot (via the getUpdates offset, or a 2xx webhook answer). */
  get pendingUpdates(): number {
    return this.updates.length;
  }

  /** Commands set with setMyCommands for a scope (default scope, no language when omitted). */
  myCommands(scope?: Record<string, unknown>, languageCode?: string): unknown {
    return this.commands.get(JSON.stringify([scope ?? { type: 'default' }, languageCode ?? '']));
  }

  /**
   * Resolves with the first answered call that matches and that no earlier waitForCall/waitForMessage
   * returned (so waiting twice for 'sendMessage' yields the 1st then the 2nd reply). Failed calls
   * (faults, 400s) count too: check `call.ok`. getUpdates is visible as soon as it arrives.
   */
  waitForCall(match: string | ((call: ApiCall) => boolean), options: WaitOptions = {}): Promise<ApiCall> {
    const test = typeof match === 'string' ? (c: ApiCall) => c.method === match : match;
    const label = typeof match === 'string' ? `'${match}'` : match.name || 'predicate';
    return this.waitFor(`waitForCall(${label})`, options.timeoutMs, () => {
      for (let i = options.since ?? 0; i < this.calls.length; i++) {
        const call = this.calls[i];
        if ((call.ok === undefined && call.method !== 'getUpdates') || this.claimed.has(call)) continue;
        let matched = false;
        try {
          matched = test(call);
        } catch {
          // a predicate reading a missing field simply does not match
        }
        if (matched) {
          this.claimed.add(call);
          return call;
        }
      }
      return undefined;
    });
  }

  /** The next message the bot successfully sent to a chat (any send* method), same claiming rule. */
  async waitForMessage(
    chatId: ChatId,
    options: WaitOptions & { match?: (message: TgMessage) => boolean } = {},
  ): Promise<TgMessage> {
    const first = (c: ApiCall) => (Array.isArray(c.result) ? c.result[0] : c.result) as TgMessage;
    const call = await this.waitForCall(
      (c) =>
        c.ok === true &&
        SENDING_METHODS.has(c.method) &&
        String(c.params.chat_id) === String(chatId) &&
        (!options.match || options.match(first(c))),
      options,
    );
    return first(call);
  }

  /** Resolves once the bot has confirmed every queued update, i.e. finished handling them. */
  waitUntilProcessed(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.waitFor('waitUntilProcessed()', options.timeoutMs, () =>
      this.updates.length === 0 ? true : undefined,
    ).then(() => undefined);
  }

  // ------------------------------------------------------------ test side: faults

  /**
   * The next `times` calls of `method` ('*' = any method but getUpdates) fail like Telegram does:
   * 429 → {ok:false, error_code:429, description:'Too Many Requests: retry after N', parameters:{retry_after:N}}.
   */
  failNext(method: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    queue.push({ ...fault, left: times });
    this.faults.set(method, queue);
  }

  /**
   * Keeps the next call of `method` that `match` accepts: it has arrived, but Telegram neither
   * carries it out nor answers until `release()`. Released, it is carried out (the message lands in
   * its chat) and answered, even when its client has gone meanwhile: a process killed mid-request,
   * whose message Telegram got without anyone hearing so.
   */
  holdNext(method: string, match?: (params: Params) => boolean): HeldCall {
    let arrived!: (call: ApiCall) => void;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    this.holds.add(release);
    void released.then(() => this.holds.delete(release));
    this.failNext(method, { match, hold: { arrived: (call) => arrived(call), released } });
    return { arrived: new Promise<ApiCall>((r) => (arrived = r)), release };
  }

  // ------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) return this.serveFile(res, decodeURIComponent(download[1]), decodeURIComponent(download[2]));
    const route = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
    if (!route) return respond(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (decodeURIComponent(route[1]) !== this.token) {
      return respond(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const method = route[2];
    let call: ApiCall;
    try {
      const { params, files } = parseRequest(req.headers['content-type'], await readBody(req), url.searchParams);
      if (params.method === method) delete params.method; // telegraf repeats it in multipart bodies
      call = { method, params, files, at: Date.now(), userAgent: req.headers['user-agent'] };
    } catch (e) {
      const error = e instanceof ApiError ? e : badRequest(String(e));
      return respond(res, error.code, { ok: false, error_code: error.code, description: error.message });
    }
    this.calls.push(call);
    if (method === 'getUpdates') this.changed();

    const fault = this.takeFault(method, call.params);
    if (fault?.hold) {
      fault.hold.arrived(call);
      await fault.hold.released;
    }
    if (fault?.delayMs) await this.sleep(fault.delayMs);
    if (this.closing) return void req.socket.destroy();
    if (fault?.resetConnection) {
      this.settle(call, { ok: false, error: { error_code: 0, description: 'connection reset by the emulator' } });
      return void req.socket.destroy();
    }

    try {
      if (fault?.status) throw this.faultError(fault);
      const result = method === 'getUpdates' ? await this.getUpdates(call.params, res) : this.dispatch(method, call);
      if (result === null) return this.settle(call, { ok: false, error: { error_code: 0, description: 'client went away' } });
      this.settle(call, { ok: true, result });
      respond(res, 200, { ok: true, result });
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, `Internal Server Error (emulator: ${String(e)})`);
      const error = compact({ error_code: err.code, description: err.message, parameters: err.parameters });
      this.settle(call, { ok: false, error });
      respond(res, err.code, { ok: false, ...error });
    }
  }

  private settle(call: ApiCall, outcome: Pick<ApiCall, 'ok' | 'result' | 'error'>): void {
    Object.assign(call, outcome);
    this.changed();
  }

  private serveFile(res: ServerResponse, token: string, path: string): void {
    if (token !== this.token) return respond(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const file = this.filesByPath.get(path);
    if (!file) return respond(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    res.writeHead(200, { 'content-type': file.mimeType ?? 'application/octet-stream', 'content-length': file.content.length });
    res.end(file.content);
  }

  private takeFault(method: string, params: Params): Fault | undefined {
    for (const key of method === 'getUpdates' ? [method] : [method, '*']) {
      const queue = this.faults.get(key) ?? [];
      const index = queue.findIndex((f) => !f.match || f.match(params));
      if (index < 0) continue;
      const fault = queue[index];
      if (--fault.left <= 0) queue.splice(index, 1);
      return fault;
    }
    return undefined;
  }

  private faultError(fault: Fault): ApiError {
    const status = fault.status ?? 500;
    const retryAfter = fault.retryAfter ?? 1;
    if (status === 429) {
      return fault.description ? new ApiError(429, fault.description, { retry_after: retryAfter }) : tooManyRequests(retryAfter);
    }
    return new ApiError(status, fault.description ?? DESCRIPTIONS[status] ?? 'Error');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        wake: () => resolve(),
      };
      this.sleeps.add(entry);
    });
  }

  private changed(): void {
    for (const w of [...this.watchers]) w.check();
  }

  private waitFor<T>(label: string, timeoutMs = 5000, probe: () => T | undefined): Promise<T> {
    const error = new Error(label); // created here so the stack points at the test
    return new Promise<T>((resolve, reject) => {
      const watcher = {
        check: () => {
          const value = probe();
          if (value === undefined) return;
          finish();
          resolve(value);
        },
        cancel: () => clearTimeout(timer),
      };
      const finish = () => {
        clearTimeout(timer);
        this.watchers.delete(watcher);
      };
      const timer = setTimeout(() => {
        finish();
        error.message = `${label} timed out after ${timeoutMs} ms.\n${this.recentCalls()}`;
        reject(error);
      }, timeoutMs);
      this.watchers.add(watcher);
      watcher.check();
    });
  }

  private recentCalls(): string {
    const lines = this.calls
      .map((call, index) => ({ call, index }))
      .filter(({ call }) => call.method !== 'getUpdates')
      .slice(-15)
      .map(({ call, index }) => describeCall(call, index));
    const polls = this.calls.filter((c) => c.method === 'getUpdates').length;
    const hook = this.webhook.current;
    const attempts = this.webhook.attempts.slice(-5).map((a) => `  update ${a.updateId} try ${a.attempt} → ${a.error ?? a.status}`);
    const webhook = hook ? `\nWebhook ${hook.url}, last attempts:\n${attempts.join('\n') || '  (none)'}` : '';
    return `Recent calls (${polls} getUpdates omitted, ${this.updates.length} updates unconfirmed):\n${lines.join('\n') || '  (none)'}${webhook}`;
  }

  // ------------------------------------------------------------ Bot API methods

  private dispatch(method: string, call: ApiCall): unknown {
    const p = call.params;
    if (method in MEDIA_METHODS) return this.sendMedia(MEDIA_METHODS[method as keyof typeof MEDIA_METHODS], call);
    switch (method) {
      case 'getMe':
        return this.botInfo;
      case 'setWebhook': {
        if (typeof p.url !== 'string') throw badRequest('bad webhook: URL must be provided');
        const problem = this.strict ? webhookProblem(p.url, p.secret_token) : null;
        if (problem) throw badRequest(problem);
        if (p.drop_pending_updates === true) this.updates = [];
        const allowed = Array.isArray(p.allowed_updates) ? p.allowed_updates.map(String) : [];
        const maxConnections = p.max_connections === undefined ? DEFAULT_MAX_CONNECTIONS : Number(p.max_connections);
        if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: max_connections must be between 1 and 100');
        this.webhook.set({ url: p.url, secretToken: p.secret_token === undefined ? undefined : String(p.secret_token), allowedUpdates: allowed, maxConnections });
        return true;
      }
      case 'deleteWebhook':
        this.webhook.set(undefined);
        if (p.drop_pending_updates === true) this.updates = [];
        return true;
      case 'getWebhookInfo': {
        const hook = this.webhook.current;
        const error = this.webhook.lastError;
        return compact({
          url: hook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.updates.length,
          max_connections: hook?.maxConnections,
          allowed_updates: hook?.allowedUpdates.length ? hook.allowedUpdates : undefined,
          last_error_date: error?.date,
          last_error_message: error?.message,
        });
      }
      case 'sendMessage':
        return this.sendMessage(p);
      case 'sendMediaGroup':
        return this.sendMediaGroupFromBot(call);
      case 'editMessageText':
      case 'editMessageCaption':
        return this.editText(method === 'editMessageText' ? 'text' : 'caption', p);
      case 'editMessageReplyMarkup':
        return this.editReplyMarkup(p);
      case 'deleteMessage': {
        const { chat, entry } = this.findMessage(p, 'message to delete not found');
        chat.messages.delete(entry.message.message_id);
        return true;
      }
      case 'answerCallbackQuery':
        return this.answerCallbackQuery(p);
      case 'setMyCommands':
        return this.setMyCommands(p);
      case 'deleteMyCommands':
        this.commands.delete(JSON.stringify([p.scope ?? { type: 'default' }, p.language_code ?? '']));
        return true;
      case 'getMyCommands':
        return this.commands.get(JSON.stringify([p.scope ?? { type: 'default' }, p.language_code ?? ''])) ?? [];
      case 'sendChatAction':
        this.targetChat(p);
        if (this.strict && !CHAT_ACTIONS.has(String(p.action))) throw badRequest('wrong parameter action in request');
        return true;
      case 'getChat': {
        const chat = this.knownChat(p);
        if (chat.chat.type !== 'private') this.targetChat(p); // a group the bot is not in is off limits
        return { ...chat.chat, accent_color_id: 0, max_reaction_count: 11 };
      }
      case 'getChatMember':
        return this.getChatMember(p);
      case 'leaveChat': {
        const chat = this.targetChat(p);
        if (chat.chat.type === 'private') throw badRequest("chat member status can't be changed in private chats");
        this.setBotStatus(chat, 'left', this.botUser());
        return true;
      }
      case 'getFile': {
        const file = this.files.get(String(p.file_id ?? ''));
        if (!file) throw badRequest('invalid file_id');
        if (file.content.length > 20 * 1024 * 1024) throw badRequest('file is too big');
        return compact({ file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.content.length || undefined, file_path: file.file_path });
      }
      default:
        return true;
    }
  }

  private getChatMember(p: Params): TgChatMember {
    const chat = this.targetChat(p);
    const userId = int(p.user_id);
    if (userId === this.botInfo.id) return { user: this.botUser(), status: chat.botStatus };
    const member = userId === undefined ? undefined : chat.members.get(userId);
    if (member) return { user: member, status: 'member' };
    const user = userId === undefined ? undefined : this.users.get(userId);
    if (user) return { user, status: 'left' };
    throw badRequest('user not found');
  }

  private sendMessage(p: Params): TgMessage {
    const chat = this.targetChat(p);
    const text = this.render(p.text, p.parse_mode, 'text')!;
    this.checkMarkup(p.reply_markup);
    this.throttle(chat, 1);
    return this.storeBotMessage(chat, p, compact({ text, entities: p.entities as TgEntity[] | undefined }), {
      text: String(p.text),
      parseMode: p.parse_mode === undefined ? undefined : String(p.parse_mode),
    });
  }

  private sendMedia(kind: MediaKind, call: ApiCall): TgMessage {
    const p = call.params;
    const chat = this.targetChat(p);
    const file = this.inputFile(kind, p[kind], call.files[kind], call.files);
    const caption = this.render(p.caption, p.parse_mode, 'caption');
    this.checkMarkup(p.reply_markup);
    this.throttle(chat, 1);
    const source = p.caption === undefined ? undefined : { text: String(p.caption), parseMode: p.parse_mode as string | undefined };
    return this.storeBotMessage(chat, p, { ...this.mediaField(kind, file), ...compact({ caption, caption_entities: p.caption_entities as TgEntity[] | undefined }) }, source);
  }

  private sendMediaGroupFromBot(call: ApiCall): TgMessage[] {
    const p = call.params;
    const chat = this.targetChat(p);
    const items = Array.isArray(p.media) ? p.media.map((m) => asRecord(m) ?? {}) : [];
    if (items.length < 2 || items.length > 10) throw badRequest('media must contain from 2 to 10 items');
    const prepared = items.map((item) => {
      const kind = String(item.type) as MediaKind;
      if (!['photo', 'document', 'audio', 'video'].includes(kind)) throw badRequest(`unsupported media type "${kind}" in the album`);
      return { kind, item, file: this.inputFile(kind, item.media, undefined, call.files), caption: this.render(item.caption, item.parse_mode, 'caption') };
    });
    this.throttle(chat, prepared.length);
    const media_group_id = String(13_000_000_000_000_000 + ++this.seq.mediaGroup);
    return prepared.map(({ kind, item, file, caption }) =>
      this.storeBotMessage(chat, p, { ...this.mediaField(kind, file), ...compact({ caption }), media_group_id },
        item.caption === undefined ? undefined : { text: String(item.caption), parseMode: item.parse_mode as string | undefined }),
    );
  }

  private editText(field: 'text' | 'caption', p: Params): TgMessage | true {
    if (p.inline_message_id !== undefined) return true;
    const { entry } = this.findMessage(p, 'message to edit not found');
    if (!entry.fromBot) throw badRequest("message can't be edited");
    const old = entry.message;
    if (field === 'text' && old.text === undefined) throw badRequest('there is no text in the message to edit');
    if (field === 'caption' && old.text !== undefined) throw badRequest('there is no caption in the message to edit');
    const rendered = this.render(p[field], p.parse_mode, field);
    this.checkMarkup(p.reply_markup);
    const markup = this.inlineMarkup(p.reply_markup);
    const source = p[field] === undefined ? undefined : { text: String(p[field]), parseMode: p.parse_mode as string | undefined };
    if (sameJson(entry.source, source) && sameJson(old.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
    const entitiesKey = field === 'text' ? 'entities' : 'caption_entities';
    return this.replaceMessage(entry, { [field]: rendered, [entitiesKey]: p[entitiesKey], reply_markup: markup }, source);
  }

  private editReplyMarkup(p: Params): TgMessage | true {
    if (p.inline_message_id !== undefined) return true;
    const { entry } = this.findMessage(p, 'message to edit not found');
    if (!entry.fromBot) throw badRequest("message can't be edited");
    this.checkMarkup(p.reply_markup);
    const markup = this.inlineMarkup(p.reply_markup);
    if (sameJson(entry.message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
    return this.replaceMessage(entry, { reply_markup: markup }, entry.source);
  }

  private answerCallbackQuery(p: Params): true {
    const id = String(p.callback_query_id ?? '');
    const pending = this.pendingQueries.get(id);
    this.pendingQueries.delete(id);
    // Never pressed, answered already, or answered too late: Telegram tells them apart no better.
    if (!pending || this.clock() - pending.at > this.callbackQueryTtlMs) throw badRequest(QUERY_TOO_OLD);
    this.answeredCallbacks.push(
      compact({
        callback_query_id: id,
        text: p.text as string | undefined,
        show_alert: p.show_alert as boolean | undefined,
        url: p.url as string | undefined,
        cache_time: p.cache_time as number | undefined,
        at: Date.now(),
      }),
    );
    return true;
  }

  private setMyCommands(p: Params): true {
    const commands = Array.isArray(p.commands) ? p.commands : undefined;
    if (!commands) throw badRequest('parameter "commands" is required');
    for (const c of commands) {
      if (!/^[a-z0-9_]{1,32}$/.test(String(asRecord(c)?.command))) throw badRequest('BOT_COMMAND_INVALID');
    }
    this.commands.set(JSON.stringify([p.scope ?? { type: 'default' }, p.language_code ?? '']), commands);
    return true;
  }

  // ------------------------------------------------------------ helpers

  /** Validates and renders text/caption under parse_mode; returns the plain text Telegram stores. */
  private render(raw: unknown, parseMode: unknown, kind: 'text' | 'caption'): string | undefined {
    if (raw === undefined || raw === null) {
      if (kind === 'text') throw badRequest('message text is empty');
      return undefined;
    }
    const source = String(raw);
    let plain = source;
    if (parseMode !== undefined && parseMode !== null && parseMode !== '') {
      const mode = String(parseMode).toLowerCase();
      if (!isParseMode(mode)) throw badRequest('unsupported parse_mode');
      if (this.strict) {
        try {
          plain = plainText(source, mode);
        } catch (e) {
          if (e instanceof ParseEntitiesError) throw badRequest(`can't parse entities: ${e.message}`);
          throw e;
        }
      }
    }
    if (kind === 'text' && plain.trim() === '') throw badRequest('message text is empty');
    if (this.strict && kind === 'text' && plain.length > 4096) throw badRequest('message is too long');
    if (this.strict && kind === 'caption' && plain.length > 1024) throw badRequest('message caption is too long');
    return plain;
  }

  private checkMarkup(markup: unknown): void {
    if (markup === undefined || !this.strict) return;
    const record = asRecord(markup);
    if (!record) throw badRequest("can't parse reply keyboard markup JSON object");
    const rows = record.inline_keyboard;
    if (rows === undefined) return;
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    for (const button of (rows as unknown[][]).flat()) {
      const b = asRecord(button) ?? {};
      if (typeof b.text !== 'string') throw badRequest(`can't parse inline keyboard button: Field "text" must be of type String`);
      if (Object.keys(b).length === 1) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if (b.callback_data !== undefined) {
        const size = Buffer.byteLength(String(b.callback_data), 'utf8');
        if (size < 1 || size > 64) throw badRequest('BUTTON_DATA_INVALID');
      }
    }
  }

  private inlineMarkup(markup: unknown): InlineKeyboard | undefined {
    const record = asRecord(markup);
    return record && Array.isArray(record.inline_keyboard) ? (record as unknown as InlineKeyboard) : undefined;
  }

  /** The chat a bot method addresses, refused as Telegram refuses chats the bot cannot write to. */
  private targetChat(p: Params): ChatState {
    const state = this.knownChat(p);
    const { type } = state.chat;
    if (state.botStatus === 'kicked') {
      throw new ApiError(403, type === 'private' ? 'Forbidden: bot was blocked by the user' : `Forbidden: bot was kicked from the ${type} chat`);
    }
    if (state.botStatus === 'left') throw new ApiError(403, `Forbidden: bot is not a member of the ${type} chat`);
    return state;
  }

  private knownChat(p: Params): ChatState {
    if (p.chat_id === undefined || p.chat_id === null || p.chat_id === '') throw badRequest('chat_id is empty');
    const id = p.chat_id as ChatId;
    const state = this.chats.get(String(id)) ?? (this.knownChatsOnly ? undefined : this.chatState(id));
    if (!state) throw badRequest('chat not found');
    if (state.migratedTo !== undefined) {
      throw new ApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: state.migratedTo });
    }
    return state;
  }

  private botUser(): TgUser {
    return { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name, username: this.botInfo.username };
  }

  /** Changes the bot's status in a chat and tells the bot with a my_chat_member update, as Telegram does. */
  private setBotStatus(chat: ChatState, status: MemberStatus, from: TgUser, old: MemberStatus = chat.botStatus): void {
    chat.botStatus = status;
    const member = (s: MemberStatus): TgChatMember => compact({ user: this.botUser(), status: s, until_date: s === 'kicked' ? 0 : undefined });
    this.pushUpdate({ my_chat_member: { chat: chat.chat, from, date: now(), old_chat_member: member(old), new_chat_member: member(status) } });
  }

  /** Flood control for `n` messages to a chat: 429 with retry_after when over a limit. */
  private throttle(chat: ChatState, n: number): void {
    const retryAfter = this.flood?.take(String(chat.chat.id), isGroup(chat.chat), n) ?? 0;
    if (retryAfter > 0) throw tooManyRequests(retryAfter);
  }

  /** Whether Telegram hands a user's message to the bot: everything in private chats, little in groups (privacy mode). */
  private delivers(chat: ChatState, message: TgMessage): boolean {
    if (!isGroup(chat.chat)) return true;
    if (chat.botStatus === 'left' || chat.botStatus === 'kicked') return false;
    if (!this.groupPrivacy) return true;
    if (SERVICE_FIELDS.some((field) => message[field] !== undefined)) return true;
    if (message.reply_to_message?.from?.id === this.botInfo.id) return true;
    const text = message.text ?? message.caption ?? '';
    const me = this.botInfo.username!.toLowerCase();
    const command = /^\/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]{3,32}))?(?![A-Za-z0-9_@])/.exec(text);
    if (command && (command[1] === undefined || command[1].toLowerCase() === me)) return true;
    // A mention starts after a non-word character: a@test_bot.ru is an e-mail address.
    const mentions = [...text.toLowerCase().matchAll(/(?:^|[^a-z0-9_@])@([a-z0-9_]+)/g)].map((m) => m[1]);
    return mentions.includes(me);
  }

  private chatState(id: ChatId): ChatState {
    const key = String(id);
    let state = this.chats.get(key);
    if (!state) {
      const n = Number(id);
      const chat: TgChat = !Number.isInteger(n)
        ? { id, type: 'channel', title: String(id), username: String(id).replace(/^@/, '') }
        : n > 0
          ? { id: n, type: 'private', first_name: `User ${n}` }
          : { id: n, type: key.startsWith('-100') ? 'supergroup' : 'group', title: `Group ${n}` };
      state = { chat, nextMessageId: 1, messages: new Map(), botStatus: 'member', members: new Map() };
      this.chats.set(key, state);
    }
    return state;
  }

  private findMessage(p: Params, notFound: string): { chat: ChatState; entry: StoredMessage } {
    const chat = this.targetChat(p);
    const entry = chat.messages.get(int(p.message_id) ?? -1);
    if (!entry) throw badRequest(notFound);
    return { chat, entry };
  }

  private storeBotMessage(chat: ChatState, p: Params, content: Partial<TgMessage>, source?: StoredMessage['source']): TgMessage {
    const replyTo = int(p.reply_to_message_id) ?? int(asRecord(p.reply_parameters)?.message_id);
    const replied = replyTo === undefined ? undefined : chat.messages.get(replyTo)?.message;
    const allowMissing = p.allow_sending_without_reply === true || asRecord(p.reply_parameters)?.allow_sending_without_reply === true;
    if (replyTo !== undefined && !replied && this.strict && !allowMissing) throw badRequest('message to be replied not found');
    const markup = asRecord(p.reply_markup);
    const message: TgMessage = compact({
      message_id: chat.nextMessageId++,
      from: this.botUser(),
      chat: chat.chat,
      date: now(),
      ...content,
      reply_to_message: replied && { ...replied, reply_to_message: undefined },
      reply_markup: this.inlineMarkup(markup),
    });
    if (markup?.keyboard) chat.replyKeyboard = markup;
    else if (markup?.remove_keyboard) chat.replyKeyboard = undefined;
    chat.messages.set(message.message_id, { message, fromBot: true, source });
    return message;
  }

  private replaceMessage(entry: StoredMessage, changes: Partial<TgMessage>, source: StoredMessage['source']): TgMessage {
    entry.message = compact({ ...entry.message, ...changes, edit_date: now() });
    entry.source = source;
    return entry.message;
  }

  /** Resolves a photo/document/… parameter: upload, attach://id, known file_id or URL. */
  private inputFile(kind: MediaKind, value: unknown, upload: UploadedFile | undefined, files: Record<string, UploadedFile>): StoredFile {
    let file = upload;
    if (typeof value === 'string' && value.startsWith('attach://')) {
      file = files[value.slice('attach://'.length)];
      if (!file) throw badRequest(`file for ${value} is not found in the request`);
    }
    if (file) {
      if (file.content.length === 0) throw badRequest('file must be non-empty');
      if (kind === 'photo' && this.strict) {
        const image = imageInfo(file.content);
        if (!image) throw badRequest('IMAGE_PROCESS_FAILED');
        const { width: w, height: h } = image;
        if (w + h > 10_000 || Math.max(w, h) > 20 * Math.max(1, Math.min(w, h))) throw badRequest('PHOTO_INVALID_DIMENSIONS');
      }
      return this.registerFile(kind, file.content, { fileName: file.fileName, mimeType: guessMimeType(file.fileName) ?? file.contentType });
    }
    if (typeof value === 'string' && /^https?:\/\//i.test(value)) {
      const name = decodeURIComponent(new URL(value).pathname.split('/').pop() ?? '') || undefined;
      return this.registerFile(kind, Buffer.alloc(0), { fileName: name, url: value }); // never fetched: no internet in tests
    }
    if (typeof value === 'string' && value !== '') {
      const known = this.files.get(value);
      if (known) return known;
      if (!this.strict) return this.registerFile(kind, Buffer.alloc(0), {});
      throw badRequest('wrong file identifier/HTTP URL specified');
    }
    throw badRequest(`there is no ${kind} in the request`);
  }

  private registerFile(kind: MediaKind, content: Buffer, meta: { fileName?: string; mimeType?: string; url?: string }): StoredFile {
    const n = ++this.seq.file;
    const ext = kind === 'photo' ? 'jpg' : extensionOf(meta.fileName);
    const file: StoredFile = compact({
      file_id: `${kind}-${n}-${randomBytes(6).toString('hex')}`,
      file_unique_id: `u${createHash('sha1').update(meta.url ?? content).digest('hex').slice(0, 15)}`,
      file_path: `${MEDIA_DIRS[kind]}/file_${n}${ext ? `.${ext}` : ''}`,
      content,
      fileName: meta.fileName,
      mimeType: meta.mimeType ?? guessMimeType(meta.fileName),
      url: meta.url,
    });
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.file_path, file);
    return file;
  }

  private mediaField(kind: MediaKind, file: StoredFile): Partial<TgMessage> {
    const base = compact({ file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.content.length || undefined });
    if (kind === 'photo') {
      const size = imageInfo(file.content) ?? { width: 0, height: 0 };
      return { photo: [{ ...base, width: size.width, height: size.height }] };
    }
    return { [kind]: compact({ ...base, file_name: file.fileName, mime_type: file.mimeType }) };
  }

  private userDocument(file: UserFile): Partial<TgMessage> {
    const stored = this.registerFile('document', file.content, { fileName: file.fileName, mimeType: file.mimeType });
    return { ...this.mediaField('document', stored), ...compact({ caption: file.caption }) };
  }

  private resolveUser(user: SimUser): { from: TgUser; chat: ChatState } {
    const u = typeof user === 'number' ? { chatId: user } : user;
    const userId = u.userId ?? (Number(u.chatId) > 0 ? Number(u.chatId) : 1001);
    const from: TgUser = compact({
      id: userId,
      is_bot: false,
      first_name: u.firstName ?? `User ${userId}`,
      last_name: u.lastName,
      username: u.username,
      language_code: u.languageCode ?? 'ru',
    });
    const chat = this.chatState(u.chatId ?? userId);
    if (chat.chat.type === 'private') {
      chat.chat = compact({ id: chat.chat.id, type: 'private', first_name: from.first_name, last_name: from.last_name, username: from.username });
    }
    this.users.set(userId, from);
    chat.members.set(userId, from);
    return { from, chat };
  }

  private userMessage(user: SimUser, content: Partial<TgMessage>, extra: Partial<TgMessage> = {}): TgMessage {
    const { from, chat } = this.resolveUser(user);
    // A user can only write to a bot they blocked by restarting it, which unblocks it.
    if (chat.chat.type === 'private' && chat.botStatus === 'kicked') this.setBotStatus(chat, 'member', from);
    const message: TgMessage = { message_id: chat.nextMessageId++, from, chat: chat.chat, date: now(), ...content, ...extra };
    chat.messages.set(message.message_id, { message, fromBot: false });
    if (this.delivers(chat, message)) this.pushUpdate({ message });
    return message;
  }

  // ------------------------------------------------------------ getUpdates

  private getUpdates(p: Params, res: ServerResponse): TgUpdate[] | Promise<TgUpdate[] | null> {
    if (this.webhook.current) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = int(p.offset) ?? 0;
    const limit = Math.min(100, Math.max(1, int(p.limit) ?? 100));
    const timeoutS = Math.max(0, int(p.timeout) ?? 0);
    if (offset > 0 && this.updates.length > 0 && this.updates[0].update_id < offset) {
      this.updates = this.updates.filter((u) => u.update_id >= offset); // confirmed
      this.changed();
    }
    const take = () => (offset < 0 ? this.updates.slice(offset) : this.updates).slice(0, limit);
    const ready = take();
    if (ready.length > 0 || timeoutS === 0 || this.closing) return ready;
    return new Promise((resolve) => {
      const finish = (result: TgUpdate[] | null) => {
        clearTimeout(timer);
        this.polls.delete(wake);
        resolve(result);
      };
      const wake = (closing?: boolean) => {
        if (closing) return finish(null);
        const batch = take();
        if (batch.length > 0) finish(batch);
      };
      const timer = setTimeout(() => finish([]), timeoutS * 1000);
      this.polls.add(wake);
      res.on('close', () => finish(null)); // the client gave up, e.g. bot.stop() aborted the request
    });
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<TelegramEmulator> {
  return new TelegramEmulator(options).listen();
}

/** What startPolling needs from a bot; a Telegraf instance fits. */
export interface PollingBot {
  launch(): Promise<void>;
  stop(reason?: string): void;
}

/**
 * Launches long polling without awaiting it (telegraf's launch() only settles when polling ends).
 * stop() stops the bot and waits until polling has really finished; it rethrows a launch failure
 * (bad token, a handler error without bot.catch…), so a broken bot fails the test.
 */
export function startPolling(bot: PollingBot): { stop(): Promise<void> } {
  let settled = false;
  const launched = bot.launch().finally(() => {
    settled = true;
  });
  launched.catch(() => undefined); // reported by stop()
  return {
    async stop() {
      // bot.stop() throws "Bot is not running!" until launch() reached polling (after getMe and
      // deleteWebhook): retry briefly instead of leaving a poller behind.
      for (let attempt = 0; !settled; attempt++) {
        try {
          bot.stop('test finished');
          break;
        } catch (e) {
          if (attempt > 200) throw e;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      await launched;
    },
  };
}
