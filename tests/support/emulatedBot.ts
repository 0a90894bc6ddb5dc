/**
 * The setup of the tests that talk to the bot through the Bot API emulator: one app trained on the
 * demo data per test file (training is the slow part), and a fresh emulator per test, stopped with
 * its poller after it so no test sees another's updates.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { botWiring } from '../../src/app/bot.ts';
import { createBot, registerCommands } from '../../src/bot/createBot.ts';
import type { Dialogue } from '../../src/features/dialogue.ts';
import { trainedApp, type Fixture } from './appFixture.ts';
import { startEmulator, startPolling, type TelegramEmulator } from './telegramEmulator.ts';

export interface BotOptions {
  /** Defaults to the app's own dialogue. */
  dialogue?: Dialogue;
  allowed: number[];
  admins?: number[];
  /** Team group chats (ALLOWED_CHAT_IDS). */
  teamChats?: number[];
  /** Also sets the command menu, as `retention start` does. */
  registerMenu?: boolean;
  /** Requests per chat per minute (default: high enough never to interfere). */
  rateLimitPerMinute?: number;
}

export interface EmulatedBot {
  /** The trained app, once beforeAll has run. */
  readonly fx: Fixture;
  /** This test's emulator, once startEmulator() or startBot() has run. */
  readonly tg: TelegramEmulator;
  startEmulator(): Promise<TelegramEmulator>;
  /** A new emulator with a bot polling it; the rate limit is out of the way of fast tests. */
  startBot(opts: BotOptions): Promise<void>;
}

/** Registers the hooks; call at the top of a test file. */
/**
 * `env` configures the app (e.g. ALLOWED_USER_IDS for the digest, which reads the configured lists);
 * `now` is the campaign's clock.
 */
export function withEmulatedBot(opts: { env?: Record<string, string>; now?: () => Date } = {}): EmulatedBot {
  let fx: Fixture | undefined;
  let tg: TelegramEmulator | undefined;
  let polling: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    fx = await trainedApp({ env: opts.env, now: opts.now });
  });
  afterAll(async () => await fx?.dispose());
  afterEach(async () => {
    await polling?.stop();
    polling = undefined;
    await tg?.close();
  });

  const harness: EmulatedBot = {
    get fx() {
      if (!fx) throw new Error('the app is trained in beforeAll');
      return fx;
    },
    get tg() {
      if (!tg) throw new Error('no emulator started in this test');
      return tg;
    },
    async startEmulator() {
      tg = await startEmulator();
      return tg;
    },
    async startBot(opts) {
      const tg = await harness.startEmulator();
      const { deps } = botWiring(harness.fx.app, {
        token: tg.token,
        apiRoot: tg.apiRoot,
        dialogue: opts.dialogue,
        access: { allowed: new Set(opts.allowed), admins: new Set(opts.admins ?? []), teamChats: new Set(opts.teamChats ?? []) },
        rateLimitPerMinute: opts.rateLimitPerMinute ?? 1000,
        uploads: false,
      });
      const { bot } = createBot(deps);
      if (opts.registerMenu) await registerCommands(bot, deps.dialogue);
      polling = startPolling(bot);
    },
  };
  return harness;
}
