/** Composition root: config → store → services → bot, console or scheduler; graceful shutdown. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createAssistant, type Assistant } from './core/assistant.ts';
import { createChartRenderer, type ChartRenderer } from './core/charts/index.ts';
import type { Logger, Store } from './core/ports.ts';
import { createConversation, type Conversation } from './chat/conversation.ts';
import { csvDatasetReader, openStore } from './data/index.ts';
import { createBot, registerCommands } from './bot/createBot.ts';
import { firstSignal, pollUntil } from './bot/lifecycle.ts';
import { runConsole } from './console/console.ts';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { auditHook, createUploads, uploadHelpCommand } from './app/botServices.ts';
import { digestCommands, startDigest } from './app/digest.ts';

export interface App {
  config: Config;
  store: Store;
  assistant: Assistant;
  charts: ChartRenderer;
  conversation: Conversation;
  log: Logger;
  close(): void;
}

export function buildApp(config: Config, log: Logger = createLogger()): App {
  if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  const store = openStore(config.dbPath);
  const assistant = createAssistant({
    store,
    reader: csvDatasetReader,
    settings: { risk: config.risk, promoShare: config.promoShare, seed: config.seed },
    log,
  });
  const charts = createChartRenderer({ quickchartUrl: config.quickchartUrl, logger: log });
  const conversation = createConversation({ assistant, charts, log, extraCommands: [uploadHelpCommand(config), ...digestCommands(config, store)] });
  return { config, store, assistant, charts, conversation, log, close: () => store.close() };
}

/** A fresh install answers at once: the bundled demo data is ingested and trained on first start. */
export async function ensureModel(app: App, onStage?: (stage: string) => void): Promise<void> {
  if (app.assistant.hasModel()) return;
  onStage?.('ingest');
  if (!app.assistant.latestDataset()) await app.assistant.ingestDir(app.config.demoDir);
  onStage?.('train');
  app.assistant.train();
}

export async function startConsole(app: App): Promise<void> {
  await runConsole(app.conversation, {
    input: process.stdin,
    output: process.stdout,
    outDir: app.config.chartOutDir,
    interactive: process.stdin.isTTY === true,
  });
}

export async function startBot(app: App): Promise<void> {
  const { config, log } = app;
  if (!config.telegramToken) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  const audit = auditHook(app);
  const uploads = createUploads(app, { audit });
  const { bot, idle } = createBot({
    token: config.telegramToken,
    apiRoot: config.telegramApiRoot,
    conversation: app.conversation,
    access: { allowed: config.allowedUserIds, admins: config.adminUserIds },
    rateLimitPerMinute: config.rateLimitPerMinute,
    log,
    audit,
    features: [uploads.install],
  });
  if (config.allowedUserIds.size === 0 && config.adminUserIds.size === 0) {
    log.warn('ALLOWED_USER_IDS and ADMIN_USER_IDS are empty: the bot answers anyone');
  }
  await registerCommands(bot, app.conversation);
  // Pay the model load and the segment snapshot before the first manager does.
  const warm = performance.now();
  app.assistant.segments();
  log.info('warmed up', { ms: Math.round(performance.now() - warm) });
  const signal = firstSignal();
  void signal.then((s) => log.info('shutting down', { signal: s }));
  log.info('bot started');
  const digest = startDigest(app, bot.telegram);
  try {
    await pollUntil(bot, signal);
    // Polling has stopped; finish what is still running, then tell upload chats training was cut short.
    await idle();
    await uploads.shutdown();
  } finally {
    // A digest run stops after the chat it is serving; the next start resumes the rest.
    await digest.stop();
    app.close();
  }
  log.info('bot stopped');
}
