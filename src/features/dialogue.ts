/**
 * The dialogue over the feature list, free of any transport: text or a pressed button in,
 * replies out. It routes commands and plain messages with a clear intent (intents.ts) to a
 * feature, keeps the one pending question per chat, checks the admin-only commands and turns
 * coded errors into answers. It holds no command of its own.
 */
import { NoModelError, NotFoundError } from '../core/errors.ts';
import type { ChatStateRepository, Logger } from '../core/ports.ts';
import { text, type Answer, type CallbackData, type Outgoing, type Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { CallbackHandlers, ChatUser, Feature, MenuItem } from './feature.ts';
import { understand } from './intents.ts';

/**
 * The one question a chat was asked («Пришлите номер клиента»): the command whose argument its
 * next plain message is. Kept outside the process, so another replica can take the answer.
 */
export interface PendingQuestions {
  set(chatId: number, command: string | null): Promise<void>;
  /** Reads and clears the chat's question in one step. */
  take(chatId: number): Promise<string | null>;
}

/** A question unanswered for this long is forgotten: the next message is read on its own. */
export const PENDING_TTL_MS = 60 * 60_000;

export function storedQuestions(state: ChatStateRepository, now: () => Date = () => new Date()): PendingQuestions {
  return {
    set: (chatId, command) => state.setPending(chatId, command, new Date(now().getTime() + PENDING_TTL_MS).toISOString()),
    take: (chatId) => state.takePending(chatId, now().toISOString()),
  };
}

export interface DialogueDeps {
  features: readonly Feature[];
  pending: PendingQuestions;
  /** An id of the served data set for hints (null before the first model). */
  exampleId: () => Promise<number | null>;
  log?: Logger;
}

export interface Dialogue {
  /** The command menu for setMyCommands and /help. */
  menu(): MenuItem[];
  greeting(): Promise<string>;
  /** What the assistant understands, for messages it cannot (photos, stray text). */
  hint(): Promise<string>;
  /** The short menu after a message without a clear intent: the hint with buttons to the two call lists. */
  menuReply(): Promise<Reply[]>;
  handleText(user: ChatUser, input: string): Promise<Outgoing[]>;
  /** `data` is null when the button's payload could not be decoded (an old or forged button). */
  handleCallback(user: ChatUser, data: CallbackData | null): Promise<Answer[]>;
}

const COMMAND = /^\/([A-Za-z0-9_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/;

export function createDialogue({ features, pending, exampleId, log }: DialogueDeps): Dialogue {
  /** Maps coded errors to answers; anything else is logged and answered with an apology. */
  async function guarded<R extends Answer>(what: string, fn: () => Promise<R[]>): Promise<(R | Reply)[]> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NotFoundError && err.what === 'customer') return [text(M.CHAT.customerNotFound(err.key, err.suggestions))];
      if (err instanceof NoModelError) return [text(M.CHAT.noModel)];
      log?.error('handler failed', { what, error: (err as Error).message, stack: (err as Error).stack });
      return [text(M.CHAT.somethingWrong)];
    }
  }

  async function run(feature: Feature, user: ChatUser, args: string): Promise<Outgoing[]> {
    if (feature.access === 'admin' && !user.isAdmin) return [text(M.CHAT.adminOnly)];
    if (!args && feature.asksWhenBare) await pending.set(user.chatId, feature.command);
    return guarded(feature.command, () => feature.run(user, args));
  }

  const byCommand = (command: string) => features.find((f) => f.command === command);
  const answersButton = (kind: CallbackData['kind']) => features.some((f) => f.callbacks?.[kind]);

  async function menuReply(): Promise<Reply[]> {
    const buttons = answersButton('segment')
      ? (['at-risk', 'profitable'] as const).map((code) => [{ text: M.SEGMENT_TEXT[code].title, data: { kind: 'segment' as const, code } }])
      : undefined;
    return [text(M.CHAT.notUnderstood(await exampleId()), buttons)];
  }

  async function plainMessage(user: ChatUser, message: string): Promise<Outgoing[]> {
    const askedFor = await pending.take(user.chatId);
    const asked = askedFor === null ? undefined : byCommand(askedFor);
    const intent = understand(message);
    // A pending question takes the message as its answer, unless the message clearly asks for something else.
    if (asked && (!intent || intent.command === asked.command)) {
      return guarded(asked.command, () => asked.run(user, intent?.args || message));
    }
    const feature = intent && byCommand(intent.command);
    if (intent && feature) return run(feature, user, intent.args);
    return menuReply();
  }

  return {
    menu: () => features.map((f) => ({ command: f.command, description: f.description })),
    greeting: async () => M.CHAT.start(await exampleId()),
    hint: async () => M.CHAT.notUnderstood(await exampleId()),
    menuReply,

    async handleText(user, input) {
      const message = input.trim();
      const m = COMMAND.exec(message);
      if (!m) return plainMessage(user, message);
      await pending.set(user.chatId, null);
      const [, name, args = ''] = m;
      const feature = byCommand(name.toLowerCase());
      if (!feature) return [text(M.CHAT.unknownCommand)];
      return run(feature, user, args.trim());
    },

    handleCallback(user, data) {
      return guarded(`callback ${data?.kind ?? 'invalid'}`, async () => {
        if (!data) return [text(M.CHAT.unknownCommand)];
        for (const feature of features) {
          const handler = (feature.callbacks as Record<string, CallbackHandlers[keyof CallbackHandlers]> | undefined)?.[data.kind];
          if (handler) return (handler as (u: ChatUser, d: CallbackData) => Promise<Answer[]>)(user, data);
        }
        return [text(M.CHAT.unknownCommand)];
      });
    },
  };
}
