/**
 * `/risk` round trip through the Bot API emulator with many chats at once: from the moment a
 * simulated manager's message is queued until Telegram (the emulator) has accepted the bot's
 * answer — the text, or the drivers chart that follows it. The real bot is used (createBot,
 * retries, access, rate limit, audit log), polling over HTTP on 127.0.0.1, a model trained on
 * the real data set (or a synthetic one when it is absent).
 *
 * Two load shapes per variant:
 *   burst — every chat sends at the same instant, `--rounds` times (the worst moment);
 *   paced — every chat sends, waits for the answer, pauses ~`--think` ms (exponential), repeats.
 * «text» answers without the chart (a stub renderer, photo dropped); «chart» renders it as in production.
 *
 *   npm run bench:bot
 *   npm run bench:bot -- --chats 50 --rounds 10 --think 5000
 *   npm run bench:bot -- --families logistic     # a model whose explanation is nearly free: the transport's share
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createBot } from '../src/bot/createBot.ts';
import { botWiring } from '../src/app/bot.ts';
import { createDialogue, type Dialogue } from '../src/features/dialogue.ts';
import { createFeatures } from '../src/features/registry.ts';
import { loadConfig } from '../src/config.ts';
import { synthesize } from '../src/data/index.ts';
import { createLogger } from '../src/logger.ts';
import { buildApp } from '../src/app/app.ts';
import { startEmulator, startPolling, tinyPng, type ApiCall, type TelegramEmulator } from '../tests/support/telegramEmulator.ts';

const { values } = parseArgs({
  options: {
    chats: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    think: { type: 'string', default: '5000' },
    families: { type: 'string' },
  },
});
const CHATS = Math.max(1, Number(values.chats));
const ROUNDS = Math.max(1, Number(values.rounds));
const THINK_MS = Math.max(0, Number(values.think));
const TARGET_P99 = { text: 50, chart: 250 };
const REAL_DIR = resolve(process.cwd(), '../shared/data/one-click');

const dir = mkdtempSync(join(tmpdir(), 'bench-bot-'));
const app = buildApp(loadConfig({ RETENTION_DB: join(dir, 'bench.db'), CHART_OUT_DIR: join(dir, 'charts') }), createLogger(() => undefined));
let dataDir = REAL_DIR;
if (!existsSync(join(REAL_DIR, 'market_file.csv'))) {
  dataDir = join(dir, 'synth');
  await synthesize({ customers: 1300, seed: 42, outDir: dataDir });
}
await app.assistant.ingestDir(dataDir);
// The full family search with a lighter CV: the winner (and so the cost of an explanation) is what production serves.
const trained = app.assistant.train({ folds: 3, repeats: 1, ...(values.families ? { families: values.families.split(',') } : {}) });
const ids = app.store.datasets.customers(trained.model.datasetVersion).map((c) => c.id);

const STUB_PNG = tinyPng();
const textOnly: Dialogue = (() => {
  const features = createFeatures({
    assistant: app.assistant,
    charts: { render: async () => STUB_PNG },
    thresholds: app.config.risk,
    subscribers: app.store.subscribers,
    nextDigest: () => null,
    timeZone: app.config.digest.timezone,
    upload: { fileNames: [], timeoutMinutes: 30, maxFileMb: 20 },
    units: app.config.units,
    campaign: app.campaign,
    spreadsheets: { xlsx: async () => Buffer.alloc(0) },
  });
  const d = createDialogue({ features, exampleId: app.assistant.exampleId, log: app.log });
  return { ...d, handleText: async (u, t) => (await d.handleText(u, t)).filter((r) => r.type !== 'photo') };
})();

/**
 * Resolves the waiter of a chat when the emulator accepts the awaited message. Hooks the
 * emulator's private settle step: its public waitFor* helpers rescan every call for every
 * waiter, which with 50 waiters would cost more CPU than the bot being measured.
 */
function watchAnswers(tg: TelegramEmulator, method: string) {
  const waiters = new Map<number, (t: number) => void>();
  const em = tg as unknown as { settle(call: ApiCall, outcome: object): void };
  const settle = em.settle.bind(tg);
  em.settle = (call, outcome) => {
    settle(call, outcome);
    if (call.ok && call.method === method) {
      const chat = Number(call.params.chat_id);
      const w = waiters.get(chat);
      waiters.delete(chat);
      w?.(performance.now());
    }
  };
  return (chat: number) => new Promise<number>((r) => waiters.set(chat, r));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = () => ids[Math.floor(Math.random() * ids.length)];

async function ask(tg: TelegramEmulator, answered: (chat: number) => Promise<number>, chat: number): Promise<number> {
  const done = answered(chat);
  const t0 = performance.now();
  tg.sendText(chat, `/risk ${pick()}`);
  return (await done) - t0;
}

async function scenario(variant: 'text' | 'chart', shape: 'burst' | 'paced') {
  // Measures the bot, not Telegram's flood limits.
  const tg = await startEmulator({ floodLimits: false });
  const { deps } = botWiring(app, {
    token: tg.token,
    apiRoot: tg.apiRoot,
    dialogue: variant === 'text' ? textOnly : app.dialogue,
    access: { allowed: new Set(Array.from({ length: CHATS }, (_, i) => 10_000 + i)), admins: new Set() },
    rateLimitPerMinute: 1_000_000,
    uploads: false,
  });
  const { bot } = createBot(deps);
  const polling = startPolling(bot);
  const answered = watchAnswers(tg, variant === 'text' ? 'sendMessage' : 'sendPhoto');
  const chats = Array.from({ length: CHATS }, (_, i) => 10_000 + i);
  await ask(tg, answered, chats[0]); // warm-up: connections, first render, model load

  const samples: number[] = [];
  const t0 = performance.now();
  if (shape === 'burst') {
    for (let r = 0; r < ROUNDS; r++) samples.push(...(await Promise.all(chats.map((c) => ask(tg, answered, c)))));
  } else {
    await Promise.all(
      chats.map(async (c) => {
        await sleep(Math.random() * THINK_MS); // spread the first requests
        for (let r = 0; r < ROUNDS; r++) {
          samples.push(await ask(tg, answered, c));
          await sleep(-Math.log(1 - Math.random()) * THINK_MS);
        }
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  await polling.stop();
  await tg.close();
  samples.sort((a, b) => a - b);
  const q = (p: number) => Math.round(samples[Math.min(samples.length - 1, Math.ceil(p * samples.length) - 1)] * 10) / 10;
  return {
    variant,
    shape,
    requests: samples.length,
    p50Ms: q(0.5),
    p95Ms: q(0.95),
    p99Ms: q(0.99),
    maxMs: q(1),
    throughputPerS: Math.round((samples.length / seconds) * 10) / 10,
    targetP99Ms: TARGET_P99[variant],
  };
}

const rows = [];
for (const variant of ['text', 'chart'] as const) {
  for (const shape of ['burst', 'paced'] as const) rows.push(await scenario(variant, shape));
}

// Other processes on the machine skew every number here; the load average says how much.
const load = loadavg().map((l) => Math.round(l * 100) / 100);
console.log(`/risk round trip through the emulator: ${CHATS} chats, ${ROUNDS} requests each, think ${THINK_MS} ms (paced), model ${trained.model.family}, load average ${load.join(' ')}\n`);
console.log('| answer | load | requests | p50 ms | p95 ms | p99 ms | max ms | req/s | p99 target ms |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const ok = r.p99Ms <= r.targetP99Ms ? '✓' : '✗';
  console.log(`| ${r.variant} | ${r.shape} | ${r.requests} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.throughputPerS} | ${r.targetP99Ms} ${ok} |`);
}

mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/bot.json',
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      chats: CHATS,
      rounds: ROUNDS,
      thinkMs: THINK_MS,
      model: trained.model.family,
      loadAverage: load,
      customers: ids.length,
      results: rows,
    },
    null,
    2,
  )}\n`,
);
app.close();
rmSync(dir, { recursive: true, force: true });
