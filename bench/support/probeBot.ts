/**
 * The bot against a stored data set, measured from the Telegram side (issue #14): start-up to the
 * first getUpdates, the first and later answers of every heavy command, /risk from another chat
 * while the largest export runs, the digest composed while chats keep asking, and the bot's
 * event-loop delay throughout (perf_hooks.monitorEventLoopDelay). The emulator runs in its own
 * process (emulatorChild.ts), so the delay measured here is the bot's alone.
 *
 * Start-up mirrors `startBot` in src/main.ts: build the app, wire and create the bot, set the
 * command menu, warm up, poll. The digest schedule is left out (its catch-up depends on the
 * weekday); the digest is composed as its own phase instead.
 *
 * Either engine: `db` is a RETENTION_DB value (a SQLite file or a postgres:// URL). PROBE_TRACE=1
 * prints each phase as it is recorded and the app's log to stderr (a probe that waits for an
 * answer that never comes shows where).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRemoteEmulator, type SentCall } from './remoteEmulator.ts';
import { storeSql } from './storeSql.ts';

const ms = (x: number) => Math.round(x * 10) / 10;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const load = () => loadavg().map((l) => +l.toFixed(2));

export interface BotProbeOptions {
  db: string;
  /** Customer ids to ask about. */
  ids: (k: number) => number;
  /** The segment whose export is the largest. */
  exportSegment?: string;
}

export async function probeBot(opts: BotProbeOptions) {
  const { loadConfig } = await import('../../src/config.ts');
  const { buildApp } = await import('../../src/app/app.ts');
  const { botWiring } = await import('../../src/app/bot.ts');
  const { currentPeriod, deliverDigest } = await import('../../src/app/digest.ts');
  const { createBot, registerCommands } = await import('../../src/bot/createBot.ts');
  const { createLogger } = await import('../../src/logger.ts');
  const { startPolling } = await import('../../tests/support/telegramEmulator.ts');

  const em = await startRemoteEmulator();
  const overall = monitorEventLoopDelay({ resolution: 5 });
  const phase = monitorEventLoopDelay({ resolution: 5 });
  const clock = () => performance.timeOrigin + performance.now();
  const rows: Record<string, unknown>[] = [];
  let phaseCarryMax = 0;
  const loopFigures = (h: IntervalHistogram) => ({ max: h.max, p99: h.percentile(99), mean: h.mean, count: h.count });
  const overallParts: ReturnType<typeof loopFigures>[] = [];
  const record = async (what: string, value: Record<string, unknown>) => {
    await sleep(20); // let the monitor's timer see a block that just ended
    rows.push({ what, ...value, loopMaxMs: ms(Math.max(phaseCarryMax, phase.max) / 1e6), load: load() });
    process.stderr.write(`${what}\n`);
    phase.reset();
    phaseCarryMax = 0;
  };

  overall.enable();
  phase.enable();
  const t0 = clock();
  const app = await buildApp(
    loadConfig({ RETENTION_DB: opts.db, CHART_OUT_DIR: join(tmpdir(), 'retention-probe-charts'), TELEGRAM_BOT_TOKEN: em.token, TELEGRAM_API_ROOT: em.apiRoot }),
    createLogger(process.env.PROBE_TRACE ? (l) => process.stderr.write(`${l}\n`) : () => undefined),
  );
  const { deps } = botWiring(app, {
    token: em.token,
    apiRoot: em.apiRoot,
    // Closed by default (src/core/access.ts): the probe's chats are private chats of allowed users (user id = chat id).
    access: { allowed: new Set(Array.from({ length: 1000 }, (_, i) => i + 1)), admins: new Set() },
    rateLimitPerMinute: 1_000_000,
    uploads: false,
  });
  const { bot } = createBot(deps);
  await registerCommands(bot, app.dialogue);
  const warmable = app as unknown as { warm?: () => Promise<void> };
  if (warmable.warm) await warmable.warm();
  else app.assistant.segments(); // what main.ts did before precomputed segments
  /**
   * The probe's own bookkeeping: on the bot's thread, but nothing a user asked for, so kept out of
   * the event-loop figures. A monitor counts a block at its next tick (even one switched off
   * meanwhile), so the figures so far are kept aside and the monitors reset once that tick is past.
   */
  const offTheClock = async (work: () => Promise<void>) => {
    overallParts.push(loopFigures(overall));
    phaseCarryMax = Math.max(phaseCarryMax, phase.max);
    await work();
    await sleep(20);
    overall.reset();
    phase.reset();
  };
  const polling = startPolling(bot);
  const polledAt = await em.firstPoll;
  await record('start → first getUpdates', { ms: ms(polledAt - t0) });
  // From here on every delay is one a user could feel.
  overall.reset();

  /** Sends `text` from `chat` (`delayMs` from now, by the emulator's clock); resolves with the time to each answer method listed. */
  async function ask(chat: number, text: string, methods: string[], delayMs = 0): Promise<Record<string, number> & { pushedAt: number }> {
    const answers = methods.map((m) => em.answer(chat, m));
    const pushedAt = await em.send(chat, text, delayMs);
    const out: Record<string, number> & { pushedAt: number } = { pushedAt };
    const got: SentCall[] = await Promise.all(answers);
    got.forEach((c, i) => (out[methods[i]] = ms(c.at - pushedAt)));
    return out;
  }
  const risk = (chat: number, k: number, delayMs = 0) => ask(chat, `/risk ${opts.ids(k)}`, ['sendMessage', 'sendPhoto'], delayMs);
  /** /risk from other chats every `everyMs` for `count` times, scheduled by the emulator (the bot's loop may be busy). */
  const riskSeries = (firstChat: number, count: number, everyMs: number, k0: number) =>
    Array.from({ length: count }, (_, k) => risk(firstChat + k, k0 + k, 100 + k * everyMs));

  const first = await risk(1, 1);
  await record('first /risk', { textMs: first.sendMessage, chartMs: first.sendPhoto });
  for (const [i, label] of ['first /segment profitable', 'again /segment profitable'].entries()) {
    const s = await ask(1, '/segment profitable', ['sendMessage', 'sendPhoto']);
    await record(label, { textMs: s.sendMessage, chartMs: s.sendPhoto, round: i + 1 });
  }
  for (const label of ['first /top_features', 'again /top_features']) {
    const s = await ask(1, '/top_features', ['sendMessage', 'sendPhoto']);
    await record(label, { textMs: s.sendMessage, chartMs: s.sendPhoto });
  }
  // The bare /segment: the keyboard, then the overview chart of every segment with their overlaps.
  for (const label of ['first /segment (overview)', 'again /segment (overview)']) {
    const s = await ask(1, '/segment', ['sendMessage', 'sendPhoto']);
    await record(label, { textMs: s.sendMessage, chartMs: s.sendPhoto });
  }
  // This week's call list: the first ask draws and stores it (the first /risk above drew one for
  // its card: dropped first), the next reads it.
  const week = currentPeriod(app.config).key;
  const sql = storeSql(app.store);
  const dropPlan = () =>
    offTheClock(async () => {
      for (const table of ['campaign_outreach', 'campaign_member', 'campaign_plan']) await sql.run(`DELETE FROM ${table} WHERE week = ?`, week);
    });
  await dropPlan();
  for (const label of ['first /plan (drawn)', 'again /plan (stored)']) {
    const s = await ask(1, '/plan', ['sendMessage']);
    await record(label, { ms: s.sendMessage });
  }

  // The largest export, and /risk from other chats every 250 ms until the file has arrived.
  const exportCode = opts.exportSegment ?? 'at-risk';
  const exported = ask(2, `/export ${exportCode}`, ['sendDocument']);
  const series = riskSeries(100, 40, 250, 100);
  const exp = await exported;
  const doc = em.sent.findLast((c) => c.method === 'sendDocument');
  const docBytes = doc?.bytes;
  const during = (await Promise.all(series))
    .filter((r) => r.pushedAt < doc!.at)
    .map((r) => ({ text: r.sendMessage, chart: r.sendPhoto }));
  await record(`/export ${exportCode}`, { ms: exp.sendDocument, bytes: docBytes });
  const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  rows.at(-1)!.riskDuringExport = {
    requests: during.length,
    textMaxMs: maxOf(during.map((d) => d.text)),
    chartMaxMs: maxOf(during.map((d) => d.chart)),
  };

  // This week's digest composed and recorded (sent to nobody: no subscribers) while chats keep asking.
  const digestSeries = riskSeries(200, 60, 200, 500);
  await sleep(10); // the schedule has reached the emulator before the bot gets busy
  const tDigest = clock();
  // As the bot's schedule runs it (in a worker when the pool runs); no subscribers, so nothing is sent.
  await deliverDigest(app, bot.telegram)(currentPeriod(app.config), { trigger: 'manual', force: true });
  const digestDone = clock();
  const digestRisk = (await Promise.all(digestSeries)).filter((r) => r.pushedAt < digestDone).map((r) => r.sendMessage);
  await record('digest composed and recorded', { ms: ms(digestDone - tDigest), riskDuring: { requests: digestRisk.length, textMaxMs: maxOf(digestRisk) } });
  // The probe's own bookkeeping, on the bot's thread but nothing a user asked for: reading back the
  // 248k at-risk ids and deleting the digest are left out of the event-loop figures.
  await offTheClock(async () => {
    rows.at(-1)!.atRisk = (await app.store.digests.get(week))?.atRiskIds.length;
    // A benchmark's digest and plan are no real week's: drop them, so they neither show in next
    // week's comparison nor keep this model version from `retention gc`.
    for (const table of ['digest_delivery', 'digest_part', 'digest_run']) await sql.run(`DELETE FROM ${table} WHERE period = ?`, week);
  });

  const warm: { text: number; chart: number }[] = [];
  for (let k = 0; k < 20; k++) {
    const r = await risk(9, 1000 + k);
    warm.push({ text: r.sendMessage, chart: r.sendPhoto });
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  await record('/risk warm (20 in a row)', {
    textMedianMs: med(warm.map((w) => w.text)),
    textMaxMs: maxOf(warm.map((w) => w.text)),
    chartMedianMs: med(warm.map((w) => w.chart)),
  });

  await dropPlan();
  // Over the parts between the probe's bookkeeping: the p99 is the largest part's p99, an upper bound.
  const parts = [...overallParts, loopFigures(overall)].filter((p) => p.count > 0);
  const count = parts.reduce((n, p) => n + p.count, 0);
  const loop = {
    maxMs: ms(Math.max(...parts.map((p) => p.max)) / 1e6),
    p99Ms: ms(Math.max(...parts.map((p) => p.p99)) / 1e6),
    meanMs: ms(parts.reduce((a, p) => a + p.mean * p.count, 0) / count / 1e6),
  };
  await polling.stop();
  await app.close();
  await em.close();
  return { phases: rows, eventLoopAfterPolling: loop, loadAtEnd: load() };
}
