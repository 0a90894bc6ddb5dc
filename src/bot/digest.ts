/**
 * The digest's way into Telegram: throttled sends, and Telegram's refusals translated into what
 * the digest runner acts on. Retries (429 retry_after, 5xx backoff) come from the client's
 * installRetry (retry.ts); what still fails after them is an outage and resumes later.
 */
import type { Telegram } from 'telegraf';
import { ChatMigratedError, DeliveryRejectedError, RecipientUnavailableError } from '../core/digest/errors.ts';
import type { DigestTransport } from '../core/ports.ts';
import { sendReply } from './send.ts';
import { createSendThrottle, type SendThrottle } from './throttle.ts';

interface ApiErrorLike {
  response?: { error_code?: number; description?: string; parameters?: { migrate_to_chat_id?: number } };
}

/** Telegram's words for a chat the bot can never write to again, though the code is 400. */
const GONE_400 = /chat not found|bot was kicked|user is deactivated|have no rights to send/i;

/**
 * 403 (blocked, kicked, deactivated) and 400 «chat not found»: the chat is gone for good. 400
 * with `migrate_to_chat_id`: the group became a supergroup. Another 400: this chat cannot take
 * this message.
 */
export function classifySendError(err: unknown): unknown {
  const response = (err as ApiErrorLike)?.response;
  const description = response?.description ?? (err as Error)?.message ?? String(err);
  const migratedTo = response?.parameters?.migrate_to_chat_id;
  if (migratedTo !== undefined) return new ChatMigratedError(migratedTo, description, { cause: err });
  if (response?.error_code === 403 || (response?.error_code === 400 && GONE_400.test(description))) {
    return new RecipientUnavailableError(description, { cause: err });
  }
  if (response?.error_code === 400) return new DeliveryRejectedError(description, { cause: err });
  return err;
}

export function telegramDigestTransport(telegram: Telegram, throttle: SendThrottle = createSendThrottle()): DigestTransport {
  return {
    async send(chatId, part) {
      await throttle.acquire(chatId);
      try {
        await sendReply(telegram, chatId, part);
      } catch (err) {
        throw classifySendError(err);
      }
    },
  };
}
