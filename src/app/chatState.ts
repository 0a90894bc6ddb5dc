import type { ChatStateRepository, Logger } from '../core/ports.ts';

/**
 * Chat state the answers can do without: when the store refuses a write (read-only, disk full,
 * locked), a request is let through uncounted, a question is forgotten, a notice is given again —
 * and /risk keeps answering from the data already stored. Upload staging is not wrapped: an
 * upload that cannot be kept must say so.
 */
export function bestEffortChatState(state: ChatStateRepository, log: Logger): ChatStateRepository {
  let warnedAt = -Infinity;
  const fallback = <T>(what: string, value: T) => (err: unknown): T => {
    // One line a minute: a read-only store would otherwise log on every message.
    if (Date.now() - warnedAt > 60_000) {
      warnedAt = Date.now();
      log.warn('chat state not written, answering without it', { what, error: (err as Error).message });
    }
    return value;
  };
  return {
    setPending: (chatId, command, until) => state.setPending(chatId, command, until).catch(fallback('pending', undefined)),
    takePending: (chatId, now) => state.takePending(chatId, now).catch(fallback('pending', null)),
    countHit: (chatId, window) => state.countHit(chatId, window).catch(fallback('rate limit', 0)),
    once: (key, until, now) => state.once(key, until, now).catch(fallback('notice', true)),
    prune: (now) => state.prune(now).catch(fallback('prune', undefined)),
    stage: (...args) => state.stage(...args),
    staged: (...args) => state.staged(...args),
    clearStaged: (chatId) => state.clearStaged(chatId),
  };
}
