/**
 * `/risk` round trip through the Bot API emulator with many chats at once: from the moment a
 * simulated manager's message is queued until Telegram (the emulator) has accepted the bot's
 * answer — the text, or the drivers chart that follows it. The real bot is used (createBot,
 * retries, access, rate limit, audit log), polling over HTTP on 127.0.0.1, a model trained on
 * the real data set (or a synthetic one when it is absent).
 *
 * The emulator runs in its own process (bench/support/emulatorChild.ts), so the bot's event loop,
 * whose delay is measured per scenario (perf_hooks.monitorEventLoopDelay), is the bot's alone.
 *
 * Two load shapes per variant:
 *   burst — every chat sends at the same instant, `--burst-rounds` times (the worst moment); a
 *           round ends when every chat has its whole answer;
 *   paced — every chat sends, waits for the answer, pauses ~`--think` ms (exponential), repeats.
 * Each answer is the production /risk, its card first and then its chart, and both are timed:
 * «text» and «chart» with the charts the workers drew onto disk after the start («ahead»,
 * src/app/charts/prerender.ts), «text-cold» and «chart-cold» with each chart drawn when asked
 * («cold»: memory cache only, no disk, as with CHART_CACHE_MB=0).
 * Before the measured rounds every chat sends once at the same instant, unmeasured but reported
 * (`firstBurstMaxMs`): the bot then has its connections open and its code compiled, as one that
 * has been answering has.
 *
 *   npm run bench:bot
 *   npm run bench:bot -- --chats 50 --rounds 10 --burst-rounds 3 --think 5000
 *   npm run bench:bot -- --families logistic     # a model whose explanation is nearly free: the transport's share
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createBot } from '../src/bot/createBot.ts';
import { botWiring } from '../src/app/bot.ts';
import { createDialogue, storedQuestions, type Dialogue } from '../src/features/dialogue.ts';
import { createFeatures } from '../src/features/registry.ts';
import { loadConfig } from '../src/config.ts';
import { synthesize } from '../src/data/index.ts';
import { createLogger } from '../src/logger.ts';
import { buildApp } from '../src/app/app.ts';
import { CachingChartRenderer } from '../src/app/charts/cache.ts';
import { createChartRenderer } from '../src/app/charts/index.ts';
import type { ChartRenderer } from '../src/features/charts/index.ts';
import { startPolling } from '../tests/support/telegramEmulator.ts';
import { startRemoteEmulator, type RemoteEmulator } from './support/remoteEmulator.ts';

const { values } = parseArgs({
  options: {
    chats: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    'burst-rounds': { type: 'string', default: '3' },
    think: { type: 'string', default: '5000' },
    families: { type: 'string' },
    shapes: { type: 'string', default: 'burst,paced' },
    variants: { type: 'string', default: 'ahead,cold' },
    out: { type: 'string', default: 'bench/results/bot.json' },
  },
});
const CHATS = Math.max(1, Number(values.chats));
const ROUNDS = Math.max(1, Number(values.rounds));
const BURST_ROUNDS = Math.max(1, Number(values['burst-rounds']));
const THINK_MS = Math.max(0, Number(values.think));
const REAL_DIR = resolve(process.cwd(), '../shared/data/one-click');

const dir = mkdtempSync(join(tmpdir(), 'bench-bot-'));
const app = await buildApp(loadConfig({ RETENTION_DB: join(dir, 'bench.db'), CHART_OUT_DIR: join(dir, 'charts') }), createLogger(() => undefined));
let dataDir = REAL_DIR;
if (!existsSync(join(REAL_DIR, 'market_file.csv'))) {
  dataDir = join(dir, 'synth');
  await synthesize({ customers: 1300, seed: 42, outDir: dataDir });
}
await app.assistant.ingestDir(dataDir);
// The full family search with a lighter CV: the winner (and so the cost of an explanation) is what production serves.
const trained = await app.assistant.train({ folds: 3, repeats: 1, ...(values.families ? { families: values.families.split(',') } : {}) });
const ids = (await app.store.datasets.customers(trained.model.datasetVersion)).map((c) => c.id);
// As `retention bot` does before polling (src/main.ts); then every worker has booted, as a few seconds
// after a real start (a worker still booting competes for the cores with what is measured).
await app.warm();
await app.offload.whenReady(true);
const ahead = await app.prerendered();
console.log(`charts drawn ahead: ${ahead?.charts ?? 0} (${ahead?.drawn ?? 0} drawn) in ${((ahead?.ms ?? 0) / 1000).toFixed(1)} s, ${((ahead?.bytes ?? 0) / 2 ** 20).toFixed(0)} MB`);

function dialogueWith(charts: ChartRenderer): Dialogue {
  const features = createFeatures({
    assistant: app.assistant,
    charts,
    thresholds: app.config.risk,
    subscribers: app.store.subscribers,
    nextDigest: () => null,
    timeZone: app.config.digest.timezone,
    upload: { fileNames: [], timeoutMinutes: 30, maxFileMb: 20 },
    units: app.config.units,
    campaign: app.campaign,
    spreadsheets: { xlsx: async () => Buffer.alloc(0) },
  });
  return createDialogue({ features, pending: storedQuestions(app.store.chatState), exampleId: app.assistant.exampleId, log: app.log });
}
const drawnWhenAsked = dialogueWith(new CachingChartRenderer(createChartRenderer(), { pool: () => app.offload.renderPool() }));
const DIALOGUES = { ahead: app.dialogue, cold: drawnWhenAsked };
type Variant = keyof typeof DIALOGUES;
/** The rows each variant reports: its text's and its chart's arrival. */
const ROWS = { ahead: { sendMessage: 'text', sendPhoto: 'chart' }, cold: { sendMessage: 'text-cold', sendPhoto: 'chart-cold' } } as const;
const TARGET_P99 = { sendMessage: 50, sendPhoto: 250 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = () => ids[Math.floor(Math.random() * ids.length)];

type Answered = { sendMessage: number; sendPhoto: number };
/** One /risk: from the moment the emulator queued it until it accepted the text, and the chart (emulator clock). */
async function ask(em: RemoteEmulator, chat: number): Promise<Answered> {
  const text = em.answer(chat, 'sendMessage');
  const chart = em.answer(chat, 'sendPhoto');
  const pushedAt = await em.send(chat, `/risk ${pick()}`);
  return { sendMessage: (await text).at - pushedAt, sendPhoto: (await chart).at - pushedAt };
}
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

async function scenario(variant: Variant, shape: 'burst' | 'paced') {
  const em = await startRemoteEmulator();
  const { deps } = botWiring(app, {
    token: em.token,
    apiRoot: em.apiRoot,
    dialogue: DIALOGUES[variant],
    access: { allowed: new Set(Array.from({ length: CHATS }, (_, i) => 10_000 + i)), admins: new Set() },
    rateLimitPerMinute: 1_000_000,
    uploads: false,
  });
  const { bot } = createBot(deps);
  const polling = startPolling(bot);
  const chats = Array.from({ length: CHATS }, (_, i) => 10_000 + i);
  // Warm-up, unmeasured: one burst from every chat, so what follows is a bot that has been
  // answering (its connections to Telegram open, its code compiled). It is reported on its own:
  // the first burst after a start.
  await ask(em, chats[0]);
  const firstBurst = await Promise.all(chats.map((c) => ask(em, c)));

  const samples: Answered[] = [];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const loadBefore = load();
  const t0 = performance.now();
  if (shape === 'burst') {
    // A round ends when every chat has its text and its chart.
    for (let r = 0; r < BURST_ROUNDS; r++) samples.push(...(await Promise.all(chats.map((c) => ask(em, c)))));
  } else {
    await Promise.all(
      chats.map(async (c) => {
        await sleep(Math.random() * THINK_MS); // spread the first requests
        for (let r = 0; r < ROUNDS; r++) {
          samples.push(await ask(em, c));
          await sleep(-Math.log(1 - Math.random()) * THINK_MS);
        }
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  await sleep(20);
  loop.disable();
  await polling.stop();
  await em.close();
  return (['sendMessage', 'sendPhoto'] as const).map((method) => {
    const xs = samples.map((s) => s[method]).sort((a, b) => a - b);
    const q = (p: number) => Math.round(xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] * 10) / 10;
    return {
      variant: ROWS[variant][method],
      shape,
      requests: xs.length,
      p50Ms: q(0.5),
      p95Ms: q(0.95),
      p99Ms: q(0.99),
      maxMs: q(1),
      throughputPerS: Math.round((xs.length / seconds) * 10) / 10,
      targetP99Ms: TARGET_P99[method],
      loopMaxMs: Math.round(loop.max / 1e5) / 10,
      loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      firstBurstMaxMs: Math.round(Math.max(...firstBurst.map((s) => s[method])) * 10) / 10,
      loadAverage: { before: loadBefore, after: load() },
    };
  });
}

const rows = [];
for (const variant of values.variants!.split(',') as Variant[]) {
  for (const shape of values.shapes!.split(',') as ('burst' | 'paced')[]) rows.push(...(await scenario(variant, shape)));
}

// Other processes on the machine skew every number here; the load average beside each row says how much.
console.log(`/risk round trip through the emulator: ${CHATS} chats; burst ${BURST_ROUNDS} rounds, paced ${ROUNDS} requests each with think ${THINK_MS} ms; model ${trained.model.family}\n`);
console.log('| answer | load | requests | p50 ms | p95 ms | p99 ms | max ms | req/s | loop max ms | p99 target ms | first burst max ms | load average |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const ok = r.p99Ms <= r.targetP99Ms ? '✓' : '✗';
  console.log(
    `| ${r.variant} | ${r.shape} | ${r.requests} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.throughputPerS} | ${r.loopMaxMs} | ${r.targetP99Ms} ${ok} | ${r.firstBurstMaxMs} | ${r.loadAverage.before.join(' ')} |`,
  );
}
const loadAtEnd = load();

mkdirSync(dirname(values.out!), { recursive: true });
writeFileSync(
  values.out!,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      chats: CHATS,
      rounds: ROUNDS,
      burstRounds: BURST_ROUNDS,
      thinkMs: THINK_MS,
      model: trained.model.family,
      chartsDrawnAhead: ahead,
      // Train-time cost of what the answers read: segments, explanations (per their tier), the save.
      explanations: trained.model.metrics.explanations,
      trainTimingsMs: Object.fromEntries(Object.entries(trained.report.timings).map(([k, v]) => [k, Math.round(v)])),
      loadAverageAtEnd: loadAtEnd,
      customers: ids.length,
      results: rows,
    },
    null,
    2,
  )}\n`,
);
await app.close();
rmSync(dir, { recursive: true, force: true });
