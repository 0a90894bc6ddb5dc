/**
 * Load through the Bot API emulator: the real bot (`retention bot`, its own process so its memory is
 * its own) serves 200 chats that each send `/risk ID`, wait for the answer (text + chart), think
 * ~1 s and ask again, for 60 s. Mid-way an admin uploads a ZIP of the data set, which validates and
 * retrains in the background. Asserted: every request answered, no error replies, bot RSS growth
 * ≤ 50 MB from a quarter into the load (the working set under load) to the end: a leak. Reported, never asserted (no timed assertions in tests): p50/p99 latency to
 * the text and to the chart, and the worst text latency while the upload was being processed. `npm run test:reliability`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/logger.ts';
import { buildApp } from '../../../src/app/app.ts';
import { readDataset, zipOf } from '../../support/datasetFiles.ts';
import { startEmulator, type ApiCall, type TelegramEmulator } from '../../support/telegramEmulator.ts';

const CHATS = Number(process.env.LOAD_CHATS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
/** Mean pause between a chat's answer and its next question (exponential). */
const THINK_MS = Number(process.env.LOAD_THINK_MS ?? 1000);
const ADMIN = 1;
const BIN = resolve(process.cwd(), 'bin', 'retention.js');
const DEMO = resolve(process.cwd(), 'data');

let dir: string;
let db: string;
let ids: number[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retention-load-'));
  db = join(dir, 'retention.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`${CHATS} chats asking /risk for ${SECONDS} s, with an upload mid-way: all answered, memory flat`, async () => {
  const app = await buildApp(loadConfig({ RETENTION_DB: db, CHART_OUT_DIR: join(dir, 'charts') }), createLogger(() => {}));
  await app.assistant.ingestDir(DEMO);
  await app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 });
  ids = (await app.store.datasets.customers((await app.store.datasets.latest())!.version)).map((c) => c.id);
  await app.close();

  const tg: TelegramEmulator = await startEmulator({ floodLimits: false });
  // Answers are matched per chat by hooking the emulator's settle step (its wait helpers rescan every call).
  const waiters = new Map<number, (ok: boolean) => void>();
  const replies: string[] = [];
  const textAt = new Map<number, number>();
  const em = tg as unknown as { settle(call: ApiCall, outcome: object): void };
  const settle = em.settle.bind(tg);
  em.settle = (call, outcome) => {
    settle(call, outcome);
    const chat = Number(call.params.chat_id);
    if (call.ok && call.method === 'sendMessage' && chat !== ADMIN) {
      replies.push(String(call.params.text));
      if (!textAt.has(chat)) textAt.set(chat, performance.now());
    }
    if (call.ok && call.method === 'sendPhoto') {
      waiters.get(chat)?.(true);
      waiters.delete(chat);
    }
  };
  // The emulator keeps every call; drop the bodies of answered ones so its memory stays flat too.
  const trim = setInterval(() => {
    for (const c of tg.calls) if (c.ok) c.files = {};
  }, 2000);

  const bot = spawn(process.execPath, [BIN, 'bot'], {
    env: {
      ...process.env,
      RETENTION_DB: db,
      CHART_OUT_DIR: join(dir, 'charts'),
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      ADMIN_USER_IDS: String(ADMIN),
      ALLOWED_USER_IDS: Array.from({ length: CHATS }, (_, i) => 100_000 + i).join(','),
      RATE_LIMIT_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let botLog = '';
  bot.stderr!.on('data', (b) => (botLog += b));
  try {
    const latencies: { at: number; ms: number; textMs: number }[] = [];
    let unanswered = 0;
    const ask = async (chat: number) => {
      const answered = new Promise<boolean>((r) => {
        waiters.set(chat, r);
        setTimeout(() => r(false), 30_000);
      });
      textAt.delete(chat);
      const t0 = performance.now();
      tg.sendText(chat, `/risk ${ids[Math.floor(Math.random() * ids.length)]}`);
      if (await answered) latencies.push({ at: t0, ms: performance.now() - t0, textMs: (textAt.get(chat) ?? NaN) - t0 });
      else unanswered++;
    };

    // Warm-up: one answer per chat (model load, first chart render, connections).
    const chats = Array.from({ length: CHATS }, (_, i) => 100_000 + i);
    await ask(chats[0]);
    expect(unanswered, `the bot did not answer the warm-up request\n${botLog}`).toBe(0);
    for (let i = 0; i < chats.length; i += 20) await Promise.all(chats.slice(i, i + 20).map(ask));
    await sleep(2000);
    const rssStart = rssMb(bot.pid!);
    latencies.length = 0;

    const start = performance.now();
    const end = start + SECONDS * 1000;
    // RSS once a second: under full load the heap and the allocator's arenas first grow to a working
    // set; a leak keeps growing after that. The leak check compares the end with the RSS a quarter in.
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMb(bot.pid!)), 1000);
    let upload: { from: number; to: number } | null = null;
    const uploading = (async () => {
      await sleep((SECONDS * 1000) / 3);
      const from = performance.now();
      tg.sendDocument(ADMIN, { fileName: 'выгрузка.zip', content: zipOf(readDataset(DEMO)), mimeType: 'application/zip' });
      await tg.waitForCall((c) => c.method === 'editMessageText' && c.params.chat_id === ADMIN && /Готово|не удалось|ошиб/i.test(String(c.params.text)), { timeoutMs: 300_000 });
      upload = { from, to: performance.now() };
    })();
    await Promise.all(
      chats.map(async (c) => {
        await sleep(Math.random() * THINK_MS);
        while (performance.now() < end) {
          await ask(c);
          await sleep(-Math.log(1 - Math.random()) * THINK_MS);
        }
      }),
    );
    await uploading;
    clearInterval(sampler);
    await sleep(3000);
    const rssEnd = rssMb(bot.pid!);
    const rssLoaded = rss[Math.floor(rss.length / 4)];

    const ms = latencies.map((l) => l.ms).sort((a, b) => a - b);
    const textMs = latencies.map((l) => l.textMs).sort((a, b) => a - b);
    const q = (p: number, xs = ms) => Math.round(xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]);
    const u = upload as { from: number; to: number } | null;
    const inUpload = (l: { at: number }) => u !== null && l.at >= u.from && l.at <= u.to;
    const during = latencies.filter(inUpload).map((l) => l.textMs);
    const outside = latencies.filter((l) => !inUpload(l)).map((l) => l.textMs).sort((a, b) => a - b);
    const report = {
      chats: CHATS,
      seconds: SECONDS,
      thinkMs: THINK_MS,
      requests: ms.length,
      throughputPerS: +(ms.length / SECONDS).toFixed(1),
      textP50Ms: q(0.5, textMs),
      textP99Ms: q(0.99, textMs),
      textMaxMs: q(1, textMs),
      withChartP50Ms: q(0.5),
      withChartP99Ms: q(0.99),
      withChartMaxMs: q(1),
      uploadSeconds: u ? +((u.to - u.from) / 1000).toFixed(1) : null,
      textMaxMsDuringUpload: during.length ? Math.round(Math.max(...during)) : null,
      textP99MsDuringUpload: during.length ? Math.round(during.sort((a, b) => a - b)[Math.ceil(0.99 * during.length) - 1]) : null,
      textP50MsDuringUpload: during.length ? Math.round(during[Math.ceil(0.5 * during.length) - 1]) : null,
      textP50MsOutsideUpload: outside.length ? q(0.5, outside) : null,
      textP99MsOutsideUpload: outside.length ? q(0.99, outside) : null,
      textMaxMsOutsideUpload: outside.length ? q(1, outside) : null,
      botRssIdleAfterWarmupMb: Math.round(rssStart),
      botRssQuarterInMb: Math.round(rssLoaded),
      botRssMaxMb: Math.round(Math.max(...rss)),
      botRssEndMb: Math.round(rssEnd),
      botRssSeries: rss.filter((_, i) => i % 5 === 0).map(Math.round),
    };
    process.stdout.write(`LOAD ${JSON.stringify(report)}\n`);

    expect(unanswered).toBe(0);
    expect(replies.filter((t) => /пошло не так|не найден/i.test(t))).toEqual([]);
    expect(ms.length).toBeGreaterThan(CHATS);
    expect(rssEnd - rssLoaded).toBeLessThanOrEqual(50);
    const uploadReply = tg.calls.filter((c) => c.method === 'editMessageText' && c.params.chat_id === ADMIN).map((c) => String(c.params.text)).at(-1);
    expect(uploadReply).toMatch(/Готово/);
  } finally {
    clearInterval(trim);
    bot.kill('SIGTERM');
    await new Promise((r) => bot.once('exit', r));
    await tg.close();
    if (process.env.LOAD_DEBUG) process.stderr.write(botLog);
  }
}, 600_000);
