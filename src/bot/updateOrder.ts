/**
 * One chat's updates in order across webhook replicas. The balancer may hand consecutive updates
 * of a chat to different replicas; each replica's per-chat queue (chatQueues.ts) only orders its
 * own. So every claim records its chat (webhookHandler.ts), and before an update runs its replica
 * waits while an earlier update of the chat, claimed by another replica, is not done yet. Telegram
 * numbers updates in the order they happened, so a smaller update id is the earlier one.
 *
 * The wait is bounded: a replica that died holding an update, or a store that cannot answer,
 * delays the chat's next update by at most `maxWaitMs`, and a claim older than `inFlightMs` is not
 * waited for at all. Ordering is then given up for that update, never the answer.
 */
import type { Update } from 'telegraf/types';
import type { Logger, UpdateChat, UpdateClaims } from '../core/ports.ts';

export interface UpdateOrder {
  /** Runs `task` once no earlier update of the chat is still being handled elsewhere (or the wait gave up), then records the update done. */
  run(update: Update, task: () => Promise<void>): Promise<void>;
}

export interface UpdateOrderOptions {
  claims: Pick<UpdateClaims, 'waitsFor' | 'done'>;
  /** This replica, as in its claims. */
  owner: string;
  log: Logger;
  /** Longest wait for earlier updates, ms (default 10 s). */
  maxWaitMs?: number;
  /** Between two looks at the store, ms (default 100). */
  pollMs?: number;
  /** Claims older than this are not waited for: their replica is gone or stuck (default 2 min). */
  inFlightMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const ORDER_WAIT_MS = 10_000;

/** The chat (and album) an update belongs to, as the per-chat queue keys it; null for updates of no chat. */
export function updateChat(update: Update): UpdateChat | null {
  const u = update as Partial<Record<'message' | 'channel_post' | 'edited_message', { chat: { id: number }; media_group_id?: string }>> & {
    callback_query?: { from: { id: number }; message?: { chat: { id: number } } };
    my_chat_member?: { chat: { id: number } };
  };
  const message = u.message ?? u.channel_post ?? u.edited_message;
  if (message) return { chatId: message.chat.id, album: message.media_group_id ?? null };
  if (u.callback_query) return { chatId: u.callback_query.message?.chat.id ?? u.callback_query.from.id };
  if (u.my_chat_member) return { chatId: u.my_chat_member.chat.id };
  return null;
}

export function storeUpdateOrder(opts: UpdateOrderOptions): UpdateOrder {
  const { claims, owner, log } = opts;
  const maxWaitMs = opts.maxWaitMs ?? ORDER_WAIT_MS;
  const pollMs = opts.pollMs ?? 100;
  const inFlightMs = opts.inFlightMs ?? 2 * 60_000;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  /** Resolves when the update may run. Logs only ids and times: nothing of what the chat said. */
  async function turn(updateId: number, chat: UpdateChat): Promise<void> {
    const start = now();
    for (;;) {
      try {
        if (!(await claims.waitsFor(updateId, owner, chat, new Date(now() - inFlightMs).toISOString()))) return;
      } catch (err) {
        log.warn('update order unknown, store did not answer: handling it now', { updateId, error: (err as Error).message });
        return;
      }
      if (now() - start >= maxWaitMs) {
        log.warn('earlier update of the chat still running on another replica, handling this one without waiting', { updateId, waitedMs: now() - start });
        return;
      }
      await sleep(pollMs);
    }
  }

  return {
    async run(update, task) {
      const chat = updateChat(update);
      if (chat) await turn(update.update_id, chat);
      try {
        await task();
      } finally {
        // Failed or not, it no longer holds the chat's next update back.
        await claims
          .done(update.update_id, new Date(now()).toISOString())
          .catch((err: Error) => log.warn('update not marked done', { updateId: update.update_id, error: err.message }));
      }
    },
  };
}
