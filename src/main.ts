/** Composition root: config → app → the CLI, whose commands start the bot, the console or a job; graceful shutdown. */
import { buildApp, ensureModel } from './app/app.ts';
import { botConfigProblem, botWiring } from './app/bot.ts';
import { startDigest } from './app/digest.ts';
import { webhookWiring } from './app/webhook.ts';
import type { App } from './app/types.ts';
import { createBot, registerCommands } from './bot/createBot.ts';
import { firstSignal, pollUntil } from './bot/lifecycle.ts';
import { deferWebhookDeletion, retryInBackground } from './bot/startup.ts';
import { serveWebhookUntil } from './bot/webhook.ts';
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
  const problem = botConfigProblem(config);
  if (problem) throw new Error(problem);
  const { deps, uploads } = botWiring(app, { token: config.telegramToken!, apiRoot: config.telegramApiRoot });
  const { webhook } = config;
  const replica = webhook ? webhookWiring(app) : null;
  const { bot, idle } = createBot({ ...deps, order: replica?.order });
  const stopping = new AbortController();
  const background = { log, signal: stopping.signal };
  const mode = webhook ? 'webhook' : 'polling';
  // Polling deletes any webhook at start (telegraf's launch); webhook mode sets it and never deletes it.
  const serve = webhook
    ? (stop: Promise<unknown>) => serveWebhookUntil(bot, stop, { ...webhook, ...replica!, ...background })
    : (stop: Promise<unknown>) => (deferWebhookDeletion(bot, background), pollUntil(bot, stop));
  void retryInBackground('setMyCommands', () => registerCommands(bot, app.dialogue), background);
  // The model load and the worker pool before the first manager asks; segments are stored, not built here.
  await app.warm();
  const signal = firstSignal();
  void signal.then((s) => log.info('shutting down', { signal: s }));
  log.info('bot started', { mode });
  const digest = startDigest(app, bot.telegram);
  let failure: unknown = null;
  try {
    await serve(signal);
  } catch (err) {
    failure = err;
    log.error(`${mode} failed, shutting down`, { error: (err as Error).message });
  }
  // The same shutdown whatever stopped polling or the webhook server (which has answered every
  // request by now): finish what is running, tell upload chats training was cut short, stop the
  // digest after the chat it is serving, then close the store.
  stopping.abort();
  try {
    await idle();
    await uploads?.shutdown();
  } finally {
    await digest.stop();
    await app.close();
  }
  log.info('bot stopped');
  if (failure) throw new Error(`${mode} stopped: ${(failure as Error).message ?? String(failure)}`);
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
