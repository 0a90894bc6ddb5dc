/** Composition root: config → app → the CLI, whose commands start the bot, the console or a job; graceful shutdown. */
import { buildApp, ensureModel } from './app/app.ts';
import { botWiring } from './app/bot.ts';
import { startDigest } from './app/digest.ts';
import type { App } from './app/types.ts';
import { createBot, registerCommands } from './bot/createBot.ts';
import { firstSignal, pollUntil } from './bot/lifecycle.ts';
import { createProgram, runCli } from './cli/program.ts';
import { loadConfig, type Config } from './config.ts';
import { runConsole } from './console/console.ts';

async function startConsole(app: App): Promise<void> {
  await runConsole(app.dialogue, {
    input: process.stdin,
    output: process.stdout,
    outDir: app.config.chartOutDir,
    interactive: process.stdin.isTTY === true,
  });
}

async function startBot(app: App): Promise<void> {
  const { config, log } = app;
  if (!config.telegramToken) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  const { deps, uploads } = botWiring(app, { token: config.telegramToken, apiRoot: config.telegramApiRoot });
  const { bot, idle } = createBot(deps);
  if (config.allowedUserIds.size === 0 && config.adminUserIds.size === 0) {
    log.warn('ALLOWED_USER_IDS and ADMIN_USER_IDS are empty: the bot answers anyone');
  }
  await registerCommands(bot, app.dialogue);
  // The model load and the worker pool before the first manager asks; segments are stored, not built here.
  await app.warm();
  const signal = firstSignal();
  void signal.then((s) => log.info('shutting down', { signal: s }));
  log.info('bot started');
  const digest = startDigest(app, bot.telegram);
  try {
    await pollUntil(bot, signal);
    // Polling has stopped; finish what is still running, then tell upload chats training was cut short.
    await idle();
    await uploads?.shutdown();
  } finally {
    // A digest run stops after the chat it is serving; the next start resumes the rest.
    await digest.stop();
    app.close();
  }
  log.info('bot stopped');
}

let config: Config | undefined;

await runCli(
  createProgram({
    openApp: () => buildApp((config ??= loadConfig())),
    ensureModel,
    startBot,
    startConsole,
  }),
  process.argv,
);
