/**
 * Outgoing Bot API calls that survive flood limits and hiccups: a 429 waits the advertised
 * retry_after, a 5xx or a dropped connection backs off exponentially. Other errors surface at once.
 */
import type { Telegram } from 'telegraf';
import type { Logger } from '../core/ports.ts';

interface ApiErrorLike {
  code?: number | string;
  response?: { error_code?: number; parameters?: { retry_after?: number } };
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  /** Longest 429 wait honoured; a longer one fails the call so a digest run can resume later. */
  maxRetryAfterS: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 300, maxRetryAfterS: 60 };

export function retryDelayMs(err: unknown, attempt: number, policy: RetryPolicy): number | null {
  const e = err as ApiErrorLike;
  const status = e.response?.error_code;
  if (status === 429) {
    const after = e.response?.parameters?.retry_after ?? 1;
    return after <= policy.maxRetryAfterS ? after * 1000 : null;
  }
  const transient =
    (status !== undefined && status >= 500) ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'].includes(String(e.code));
  return transient ? policy.baseDelayMs * 2 ** (attempt - 1) : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps telegram.callApi in place; every API method goes through it. */
export function installRetry(telegram: Telegram, log?: Logger, policy: RetryPolicy = DEFAULT_RETRY): void {
  const call = telegram.callApi.bind(telegram) as (...args: unknown[]) => Promise<unknown>;
  (telegram as unknown as { callApi: typeof call }).callApi = async (...args: unknown[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(...args);
      } catch (err) {
        const delay = attempt < policy.maxAttempts ? retryDelayMs(err, attempt, policy) : null;
        if (delay === null) throw err;
        log?.warn('telegram call retried', { method: String(args[0]), attempt, delayMs: delay });
        await sleep(delay);
      }
    }
  };
}
