/**
 * Start-up calls that must not decide whether the bot runs. Only getMe (through telegraf's
 * launch) and the token are fatal; a 5xx or 429 on the command menu or on the webhook
 * deletion is retried in the background, so a flaky Bot API at restart costs a menu, not the bot.
 */
import type { Context, Telegraf } from 'telegraf';
import type { Logger } from '../core/ports.ts';

export const BACKGROUND_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000] as const;

/** Runs `task` until it succeeds, waiting `delaysMs` between tries; stops early on `signal`. */
export function retryInBackground(
  name: string,
  task: () => Promise<unknown>,
  opts: { log: Logger; signal?: AbortSignal; delaysMs?: readonly number[] },
): Promise<boolean> {
  const delays = opts.delaysMs ?? BACKGROUND_DELAYS_MS;
  return (async () => {
    for (let attempt = 0; ; attempt++) {
      if (opts.signal?.aborted) return false;
      try {
        await task();
        if (attempt > 0) opts.log.info('start-up call succeeded', { name, attempt: attempt + 1 });
        return true;
      } catch (err) {
        const delay = delays[attempt];
        opts.log.warn('start-up call failed', { name, attempt: attempt + 1, error: (err as Error).message, retryInMs: delay ?? null });
        if (delay === undefined) return false;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          opts.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    }
  })();
}

/**
 * telegraf's launch() deletes the webhook and would fail the whole start if that call fails;
 * here the first try happens inline (polling needs it), and a failure moves to the background.
 */
export function deferWebhookDeletion(bot: Telegraf<Context>, opts: { log: Logger; signal?: AbortSignal; delaysMs?: readonly number[] }): void {
  const original = bot.telegram.deleteWebhook.bind(bot.telegram);
  bot.telegram.deleteWebhook = async (extra) => {
    try {
      return await original(extra);
    } catch (err) {
      opts.log.warn('start-up call failed', { name: 'deleteWebhook', attempt: 1, error: (err as Error).message });
      void retryInBackground('deleteWebhook', () => original(extra), opts);
      return true;
    }
  };
}
