/**
 * Scale benchmark (issue #8): synth → ingest → train → score → /risk for N customers, each stage
 * a child process (`node bin/retention.js …` under `/usr/bin/time -v`) so wall time and peak RSS are
 * the process's own. The `sqlite3` shell's `.import` of the same four files is the floor for ingest.
 *
 *   npm run bench:scale                                  # 10k, 100k, 1M (≈ 15–25 min on 2 busy cores)
 *   npm run bench:scale -- --sizes 10000,100000          # a subset
 *   npm run bench:scale -- --work /tmp/retention-scale   # where data sets and DBs go (never the repo)
 *   npm run bench:scale -- --seed 1                      # synth seed of data sets not yet in --work (default 1)
 *
 * Needs `/usr/bin/time` and `sqlite3` (Debian: `apt-get install -y time sqlite3`); without sqlite3
 * the floor column is left empty. Prints one markdown table per stage and writes bench/results/scale.json.
 *
 * Internal probes (run in a child by the driver): `--probe-risk <db>` (portfolio snapshot and /risk
 * latency in process) and `--probe-auc <dir>` (sampled vs full search on 10k, scored on a held-out set).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FIRST_ID } from '../src/data/synth.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'retention.js');
const FILES = ['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv'];

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    work: { type: 'string', default: join(tmpdir(), 'retention-scale') },
    'probe-risk': { type: 'string' },
    'probe-auc': { type: 'string' },
    'probe-bot': { type: 'string' },
    'train-timeout': { type: 'string', default: '900' },
    /** Skip the retention stage (a second upload and `retention gc`), which doubles a size's time. */
    'no-gc': { type: 'boolean', default: false },
    /** `retention synth --seed` for data sets not yet in --work (issue #14 measured seed 1). */
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(ROOT, 'bench', 'results', 'scale.json') },
    merge: { type: 'string' },
  },
});

// ------------------------------------------------------------------ in-process probes

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function probeRisk(db: string): Promise<void> {
  const { loadConfig } = await import('../src/config.ts');
  const { buildApp } = await import('../src/app/app.ts');
  const { createLogger } = await import('../src/logger.ts');
  const app = await buildApp(loadConfig({ RETENTION_DB: db, CHART_OUT_DIR: join(tmpdir(), 'retention-scale-charts') }), createLogger(() => {}));
  const meta = (await app.assistant.modelInfo()).model;
  const n = meta.scoredCustomers;
  const first = FIRST_ID; // synthesized sets number customers from here
  const pick = (k: number) => first + ((k * 7919) % Math.max(1, n - 10));
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  // Reads the stored segment tables (a model stored before issue #14 builds them here, once).
  const s = await app.assistant.segments();
  const snapshotMs = performance.now() - t;
  global.gc?.();
  const snapshotHeapMb = mb(process.memoryUsage().heapUsed - heap0);
  const snapshotRssMb = mb(process.memoryUsage().rss - rss0);
  // Warm-up, then timed single requests.
  for (let k = 0; k < 5; k++) await app.assistant.risk(pick(k));
  const riskMs: number[] = [];
  for (let k = 0; k < 30; k++) {
    t = performance.now();
    await app.assistant.risk(pick(100 + k));
    riskMs.push(performance.now() - t);
  }
  const ctx = { chatId: 1, userId: 1, isAdmin: true };
  for (let k = 0; k < 3; k++) await app.dialogue.handleText(ctx, `/risk ${pick(200 + k)}`);
  const convMs: number[] = [];
  for (let k = 0; k < 10; k++) {
    t = performance.now();
    await app.dialogue.handleText(ctx, `/risk ${pick(300 + k)}`);
    convMs.push(performance.now() - t);
  }
  t = performance.now();
  await app.assistant.segment('at-risk');
  const segmentMs = performance.now() - t;
  const sqlite = (app.store as unknown as { db: { prepare(s: string): { all(...a: unknown[]): { detail: string }[]; run(...a: unknown[]): unknown } } }).db;
  // /risk drew this week's call list: a benchmark's plan is no real week's, and it would keep the model from `retention gc`.
  for (const table of ['campaign_outreach', 'campaign_member', 'campaign_plan']) sqlite.prepare(`DELETE FROM ${table}`).run();
  const plan = sqlite
    .prepare('EXPLAIN QUERY PLAN SELECT probability FROM score WHERE model_version = ? AND id = ?')
    .all(meta.version, first)
    .map((r) => r.detail)
    .join('; ');
  process.stdout.write(
    JSON.stringify({
      customers: n,
      snapshotBuildMs: Math.round(snapshotMs),
      snapshotHeapMb,
      snapshotRssMb,
      rssAfterMb: mb(process.memoryUsage().rss),
      segments: s.length,
      riskCoreMsMedian: +pct(riskMs, 0.5).toFixed(2),
      riskCoreMsMax: +Math.max(...riskMs).toFixed(2),
      riskWithChartMsMedian: +pct(convMs, 0.5).toFixed(1),
      segmentAfterSnapshotMs: +segmentMs.toFixed(1),
      scoreLookupPlan: plan,
    }),
  );
  await app.close();
}

async function probeAuc(dir: string): Promise<void> {
  const { readDatasetDir, synthesize } = await import('../src/data/index.ts');
  const { FEATURE_SCHEMA, toFrame, toLabels } = await import('../src/core/features.ts');
  const { trainBest, rocAuc } = await import('../src/ml/index.ts');
  const train = await readDatasetDir(dir);
  const holdDir = join(values.work!, 'holdout-20k');
  if (!existsSync(join(holdDir, 'money.csv'))) await synthesize({ customers: 20_000, seed: 7, outDir: holdDir });
  const hold = await readDatasetDir(holdDir);
  const X = toFrame(train.customers);
  const y = toLabels(train.customers);
  const Xh = toFrame(hold.customers);
  const yh = toLabels(hold.customers);
  const run = (searchRows: number) => {
    const t = performance.now();
    const { model, report } = trainBest(FEATURE_SCHEMA, X, y, { seed: 42, searchRows });
    return { chosen: report.chosen, cvAuc: report.cvAuc, holdoutAuc: rocAuc(yh, model.predictProba(Xh)), ms: Math.round(performance.now() - t) };
  };
  const sampled = run(5000);
  const full = run(Number.POSITIVE_INFINITY);
  process.stdout.write(JSON.stringify({ rows: X.n, holdoutRows: Xh.n, sampled, full, holdoutAucDrop: +(full.holdoutAuc - sampled.holdoutAuc).toFixed(4) }));
}

// ------------------------------------------------------------------ driver

interface Measured {
  ok: boolean;
  wallS: number;
  peakRssMb: number;
  exitCode: number | null;
  stdout: string;
  stderrTail: string;
}

/** Runs a command under /usr/bin/time -v; wall time and max RSS as the kernel counted them. */
function measure(cmd: string[], env: Record<string, string> = {}, timeoutS = 900, input?: string): Measured {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 2 ** 20,
    input,
  });
  const wall = (performance.now() - t) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return {
    ok: r.status === 0,
    wallS: +wall.toFixed(2),
    peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : NaN,
    exitCode: r.status,
    stdout: r.stdout ?? '',
    stderrTail: (r.stderr ?? '').split('\n').filter((l) => !/^\t/.test(l)).slice(-5).join('\n'),
  };
}

const retention = (args: string[], db: string, timeoutS?: number) => measure(['node', BIN, ...args], { RETENTION_DB: db }, timeoutS);
const tsxProbe = (args: string[], timeoutS = 1800) => measure(['node', '--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'scale.ts'), ...args], {}, timeoutS);

function sqliteFloor(dir: string, db: string): Measured | null {
  if (spawnSync('sqlite3', ['-version']).status !== 0) return null;
  rmSync(db, { force: true });
  const script = [
    '.mode csv',
    `.import ${join(dir, 'market_file.csv')} market_file`,
    `.import ${join(dir, 'market_money.csv')} market_money`,
    `.import ${join(dir, 'market_time.csv')} market_time`,
    '.separator ;',
    `.import ${join(dir, 'money.csv')} money`,
    'SELECT count(*) FROM market_money;',
  ].join('\n');
  return measure(['sqlite3', db], {}, 900, script);
}

function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAvgAtStart: loadavg().map((x) => +x.toFixed(2)),
  };
}

async function main(): Promise<void> {
  if (values['probe-risk']) return probeRisk(values['probe-risk']);
  if (values['probe-auc']) return probeAuc(values['probe-auc']);
  if (values['probe-bot']) {
    const { probeBot } = await import('./support/probeBot.ts');
    // Customers the active model scored: an id the cleaning dropped gets a text without a chart,
    // which the probe would wait for in vain. Read before the bot starts, outside every timing.
    const { default: Database } = await import('better-sqlite3');
    const sqlite = new Database(values['probe-bot'], { readonly: true });
    const served = sqlite
      .prepare('SELECT id FROM score WHERE model_version = (SELECT model_version FROM active_model WHERE slot = 1) ORDER BY id')
      .pluck()
      .all() as number[];
    sqlite.close();
    const r = await probeBot({ db: values['probe-bot'], ids: (k) => served[(k * 7919) % served.length] });
    return void process.stdout.write(JSON.stringify(r));
  }
  if (values.merge) return mergeRuns(values.merge.split(','));

  const sizes = values.sizes!.split(',').map(Number).filter((n) => n > 0);
  const work = resolve(values.work!);
  if (work.startsWith(ROOT)) throw new Error('--work must be outside the repository');
  mkdirSync(work, { recursive: true });
  const info = machine();
  const startup = retention(['--help'], join(work, 'unused.db'));
  const results: Record<string, unknown>[] = [];
  const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

  for (const n of sizes) {
    const dir = join(work, `d${n}`);
    const db = join(work, `s${n}.db`);
    const row: Record<string, unknown> = { customers: n };
    log(`N=${n}: synth`);
    if (!existsSync(join(dir, 'money.csv'))) {
      const s = measure(['node', BIN, 'synth', '--customers', String(n), '--seed', values.seed!, '--out', dir]);
      row.synth = { wallS: s.wallS, peakRssMb: s.peakRssMb, ok: s.ok };
    } else row.synth = { reused: true };
    const bytes = FILES.reduce((a, f) => a + statSync(join(dir, f)).size, 0);
    const lines = FILES.reduce((a, f) => a + readFileSync(join(dir, f)).reduce((k, b) => k + (b === 10 ? 1 : 0), 0), 0);
    row.input = { mb: mb(bytes), lines };

    for (const f of ['', '-wal', '-shm']) rmSync(db + f, { force: true });
    log(`N=${n}: ingest`);
    const ing = retention(['ingest', dir, '--json'], db);
    row.ingest = { wallS: ing.wallS, peakRssMb: ing.peakRssMb, ok: ing.ok, err: ing.ok ? undefined : ing.stderrTail };
    log(`N=${n}: sqlite3 .import floor`);
    const floor = sqliteFloor(dir, join(work, `floor${n}.db`));
    row.sqliteImport = floor ? { wallS: floor.wallS, peakRssMb: floor.peakRssMb, ok: floor.ok } : null;
    if (floor?.ok) row.ingestVsSqlite = +(ing.wallS / floor.wallS).toFixed(1);
    rmSync(join(work, `floor${n}.db`), { force: true });

    log(`N=${n}: train`);
    const tr = retention(['train', '--json'], db, Number(values['train-timeout']));
    let trained: { model?: string; cv_auc?: number; timings_ms?: Record<string, number> } = {};
    try {
      trained = JSON.parse(tr.stdout);
    } catch {
      /* timeout or failure: recorded below */
    }
    row.train = {
      wallS: tr.wallS,
      peakRssMb: tr.peakRssMb,
      ok: tr.ok,
      model: trained.model,
      cvAuc: trained.cv_auc,
      timingsS: trained.timings_ms ? Object.fromEntries(Object.entries(trained.timings_ms).map(([k, v]) => [k, +(v / 1000).toFixed(1)])) : undefined,
      err: tr.ok ? undefined : tr.stderrTail || `killed after ${values['train-timeout']} s`,
    };
    if (!tr.ok) {
      results.push(row);
      continue;
    }
    log(`N=${n}: score`);
    const sc = retention(['score', '--out', join(work, `scores${n}.csv`)], db);
    row.score = { wallS: sc.wallS, peakRssMb: sc.peakRssMb, ok: sc.ok };
    rmSync(join(work, `scores${n}.csv`), { force: true });
    log(`N=${n}: /risk and portfolio snapshot`);
    const pr = tsxProbe(['--probe-risk', db]);
    try {
      row.risk = { ...JSON.parse(pr.stdout), probePeakRssMb: pr.peakRssMb };
    } catch {
      row.risk = { ok: false, err: pr.stderrTail };
    }
    log(`N=${n}: the bot through the emulator`);
    const pb = tsxProbe(['--probe-bot', db]);
    try {
      row.bot = { ...JSON.parse(pb.stdout), probePeakRssMb: pb.peakRssMb };
    } catch {
      row.bot = { ok: false, err: pb.stderrTail };
    }
    if (!values['no-gc']) {
      // A second upload of the same size, then the retention policy keeping one version.
      const fileMb = () => mb([db, `${db}-wal`].reduce((a, f) => a + (existsSync(f) ? statSync(f).size : 0), 0));
      const oneVersion = fileMb();
      log(`N=${n}: second upload and retention gc`);
      const ing2 = retention(['ingest', dir, '--json'], db);
      const tr2 = retention(['train', '--json'], db, Number(values['train-timeout']));
      const twoVersions = fileMb();
      const dry = retention(['gc', '--keep', '1', '--dry-run', '--json'], db);
      const gc = retention(['gc', '--keep', '1', '--json'], db);
      const afterGc = fileMb();
      const vac = retention(['gc', '--keep', '1', '--vacuum', '--json'], db);
      const parse = (m: Measured) => {
        try {
          return JSON.parse(m.stdout) as { plan: { drop: { models: unknown[]; datasets: unknown[] } }; after: { freeBytes: number } };
        } catch {
          return null;
        }
      };
      const g = parse(gc);
      row.gc = {
        ok: ing2.ok && tr2.ok && dry.ok && gc.ok && vac.ok,
        fileMb: { oneVersion, twoVersions, afterGc, afterVacuum: fileMb() },
        freeMbAfterGc: g ? mb(g.after.freeBytes) : null,
        dropped: g ? { models: g.plan.drop.models.length, datasets: g.plan.drop.datasets.length } : null,
        wallS: { dryRun: dry.wallS, gc: gc.wallS, vacuum: vac.wallS },
        err: gc.ok ? undefined : gc.stderrTail,
      };
    }
    if (n === 10_000) {
      log(`N=${n}: sampled vs full search (held-out AUC)`);
      const au = tsxProbe(['--probe-auc', dir, '--work', work]);
      try {
        row.searchSampling = JSON.parse(au.stdout);
      } catch {
        row.searchSampling = { ok: false, err: au.stderrTail };
      }
    }
    results.push(row);
    writeFileSync(values.out!, JSON.stringify({ machine: info, startupS: startup.wallS, results }, null, 2) + '\n');
  }

  const out = { machine: { ...info, loadAvgAtEnd: loadavg().map((x) => +x.toFixed(2)) }, startupS: startup.wallS, results };
  writeFileSync(values.out!, JSON.stringify(out, null, 2) + '\n');
  printTables(out);
}

/** Combines the JSON of separate runs (`--merge a.json,b.json`, e.g. 10k, then 100k+1M) into one results file, sorted by N. */
function mergeRuns(files: string[]): void {
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { machine: Record<string, unknown>; startupS: number; results: Record<string, any>[] });
  const out = {
    machine: { ...runs[0].machine, loadAvgAtEnd: runs.at(-1)!.machine.loadAvgAtEnd, runs: runs.map((r) => r.machine.loadAvgAtStart) },
    startupS: Math.max(...runs.map((r) => r.startupS)),
    // A later run of the same N replaces an earlier one.
    results: [...new Map(runs.flatMap((r) => r.results).map((r) => [r.customers, r])).values()].sort((a, b) => a.customers - b.customers),
  };
  writeFileSync(values.out!, JSON.stringify(out, null, 2) + '\n');
  printTables(out);
}

function printTables(out: { machine: Record<string, unknown>; startupS: number; results: Record<string, any>[] }): void {
  const p = (s: string) => process.stdout.write(`${s}\n`);
  const m = out.machine;
  p(`\nMachine: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, Node ${m.node}; load ${String(m.loadAvgAtStart)} → ${String(m.loadAvgAtEnd)}; CLI start-up ${out.startupS} s (included below)\n`);
  p('| stage | N | wall s | peak RSS MB | target | notes |');
  p('|---|---:|---:|---:|---|---|');
  for (const r of out.results) {
    const n = r.customers.toLocaleString('en');
    p(`| ingest | ${n} | ${r.ingest?.wallS} | ${r.ingest?.peakRssMb} | 1M: ≤ 30 s, ≤ 1536 MB | ${r.input.mb} MB, ${r.input.lines} lines${r.ingest?.ok ? '' : ' FAILED'} |`);
    if (r.sqliteImport) p(`| sqlite3 .import (floor) | ${n} | ${r.sqliteImport.wallS} | ${r.sqliteImport.peakRssMb} | — | ingest / floor = ${r.ingestVsSqlite}× |`);
    p(`| train | ${n} | ${r.train?.wallS} | ${r.train?.peakRssMb} | 100k: ≤ 120 s; 1M: ≤ 300 s | ${r.train?.ok ? `${r.train.model}, CV AUC ${r.train.cvAuc?.toFixed(4)}` : `FAILED: ${r.train?.err}`} |`);
    if (r.score) p(`| score --out | ${n} | ${r.score.wallS} | ${r.score.peakRssMb} | 1M: ≤ 20 s | |`);
    if (r.risk?.customers) {
      p(`| segments, first answer in a process | ${n} | ${(r.risk.snapshotBuildMs / 1000).toFixed(2)} | +${r.risk.snapshotHeapMb} heap, +${r.risk.snapshotRssMb} RSS | ≤ 0.2 s | a segment summary after it: ${r.risk.segmentAfterSnapshotMs} ms |`);
      p(`| /risk after warm-up | ${n} | ${r.risk.riskCoreMsMedian} ms | — | index lookups, no scans | median of 30 (max ${r.risk.riskCoreMsMax} ms); with the drivers chart ${r.risk.riskWithChartMsMedian} ms |`);
    }
    if (r.gc?.fileMb) {
      const g = r.gc;
      p(`| retention gc --keep 1 (after a 2nd upload) | ${n} | ${g.wallS.gc} | — | — | file ${g.fileMb.oneVersion} → ${g.fileMb.twoVersions} MB with two versions; gc drops ${g.dropped?.models} model + ${g.dropped?.datasets} data set, ${g.freeMbAfterGc} MB free for reuse; --vacuum ${g.wallS.vacuum} s → ${g.fileMb.afterVacuum} MB |`);
    }
    if (r.bot?.phases) botTable(r.customers, r.bot).forEach(p);
    if (r.searchSampling?.full) {
      const s = r.searchSampling;
      p(`| search 5k sample vs full | ${n} | ${(s.sampled.ms / 1000).toFixed(1)} vs ${(s.full.ms / 1000).toFixed(1)} | — | AUC drop ≤ 0.005 | held-out AUC ${s.sampled.holdoutAuc.toFixed(4)} vs ${s.full.holdoutAuc.toFixed(4)} (drop ${s.holdoutAucDrop}) |`);
    }
  }
}

/** The bot probe's phases as table rows (bench/support/probeBot.ts). */
export function botTable(n: number, bot: { phases: Record<string, any>[]; eventLoopAfterPolling: { maxMs: number; p99Ms: number } }): string[] {
  const out = [`\nThe bot at ${n.toLocaleString('en')} customers (emulator in its own process)\n`, '| phase | answer ms | loop max ms | load | notes |', '|---|---:|---:|---|---|'];
  for (const ph of bot.phases) {
    const t = ph.ms ?? (ph.chartMs !== undefined ? `${ph.textMs} text / ${ph.chartMs} chart` : `${ph.textMedianMs} text median (max ${ph.textMaxMs}) / ${ph.chartMedianMs} chart`);
    const notes = ph.riskDuringExport
      ? `/risk during it: ${ph.riskDuringExport.requests}×, text max ${ph.riskDuringExport.textMaxMs} ms, chart max ${ph.riskDuringExport.chartMaxMs} ms; ${ph.bytes} bytes`
      : ph.riskDuring
        ? `${ph.atRisk} at risk; /risk during it: ${ph.riskDuring.requests}×, text max ${ph.riskDuring.textMaxMs} ms`
        : '';
    out.push(`| ${ph.what} | ${t} | ${ph.loopMaxMs} | ${(ph.load ?? []).join(' ')} | ${notes} |`);
  }
  out.push(`| event loop after polling started | — | ${bot.eventLoopAfterPolling.maxMs} | | p99 ${bot.eventLoopAfterPolling.p99Ms} ms |`);
  return out;
}

await main();
