/** Starting and stopping long polling without losing or repeating an update. */
import type { Context, Telegraf } from 'telegraf';

/**
 * Resolves on the first SIGINT or SIGTERM and then stops listening, so a second signal gets
 * Node's default handling: an impatient operator can still kill a shutdown that hangs.
 */
export function firstSignal(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handlers = signals.map((s) => {
      const h = () => {
        for (const [sig, fn] of handlers) process.off(sig, fn);
        resolve(s);
      };
      process.on(s, h);
      return [s, h] as const;
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until `stop` resolves, then stops: no new batch is fetched, the batch being handled
 * finishes, and telegraf confirms its offset so Telegram does not deliver it again after a
 * restart. Rejects if polling itself fails (a revoked token, another instance polling).
 */
export async function pollUntil(bot: Telegraf<Context>, stop: Promise<unknown>): Promise<void> {
  let settled = false;
  const launched = bot.launch({ dropPendingUpdates: false }).finally(() => {
    settled = true;
  });
  await Promise.race([launched, stop]);
  // telegraf throws «Bot is not running!» until launch() has got past getMe and deleteWebhook.
  while (!settled) {
    try {
      bot.stop('shutdown');
      break;
    } catch {
      await sleep(20);
    }
  }
  await launched;
}
