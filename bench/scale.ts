/**
 * Scale benchmark (issue #8): synth → ingest → train → score → /risk for N customers, each stage
 * a child process (`node bin/retention.js …` under `/usr/bin/time -v`) so wall time and peak RSS are
 * the process's own. The `sqlite3` shell's `.import` of the same four files is the floor for ingest.
 *
 *   npm run bench:scale                                  # 10k, 100k, 1M (≈ 15–25 min on 2 busy cores)
 *   npm run bench:scale -- --sizes 10000,100000          # a subset
 *   npm run bench:scale -- --work /tmp/retention-scale   # where data sets and DBs go (never the repo)
 *   npm run bench:scale -- --seed 1                      # synth seed of data sets not yet in --work (default 1)
 *   npm run bench:scale -- --engine postgres             # the same on PostgreSQL (issue #16) → bench/results/scale-postgres.json
 *
 * Needs `/usr/bin/time` and `sqlite3` (Debian: `apt-get install -y time sqlite3`); without sqlite3
 * the floor column is left empty. Prints one markdown table per stage and writes bench/results/scale.json.
 *
 * `--engine postgres` starts its own throwaway cluster (tests/support/postgresCluster.ts: initdb and
 * pg_ctl from PATH or /usr/lib/postgresql/N/bin, as `nobody` under root) with the server's default
 * durability (fsync, synchronous_commit and full_page_writes on), one database per size, and runs
 * every stage with RETENTION_DB=postgresql://…. The ingest floor is `psql \copy` of the four files
 * into plain text tables. In the same run, the same data set is ingested, trained and probed on
 * SQLite, so the ratios compare figures taken minutes apart on the same machine and commit
 * (`--no-sqlite-reference` skips that). `--rounds N` repeats ingest and floor N times (extra rounds
 * into throwaway stores) and reports the median ratio. Peak RSS is the Node process's own; the
 * server's backends are not counted.
 *
 * Internal probes (run in a child by the driver): `--probe-risk <db>` (portfolio snapshot and /risk
 * latency in process) and `--probe-auc <dir>` (sampled vs full search on 10k, scored on a held-out set).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FIRST_ID } from '../src/data/synth.ts';
import { CSV_FILES, postgresStores, sqliteStores } from './support/benchStores.ts';
import { measure, type Measured } from './support/measure.ts';
import { storeSql } from './support/storeSql.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'retention.js');

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    work: { type: 'string', default: join(tmpdir(), 'retention-scale') },
    'probe-risk': { type: 'string' },
    'probe-auc': { type: 'string' },
    'probe-bot': { type: 'string' },
    'probe-bot-customers': { type: 'string' },
    'train-timeout': { type: 'string', default: '900' },
    /** Skip the retention stage (a second upload and `retention gc`), which doubles a size's time. */
    'no-gc': { type: 'boolean', default: false },
    /** `retention synth --seed` for data sets not yet in --work (issue #14 measured seed 1). */
    seed: { type: 'string', default: '1' },
    engine: { type: 'string', default: 'sqlite' },
    /** Ingest and its floor, this many times (the extra rounds into throwaway stores); the ratio is their median. */
    rounds: { type: 'string', default: '1' },
    /** With --engine postgres: skip the same run's SQLite ingest, train and bot probe. */
    'no-sqlite-reference': { type: 'boolean', default: false },
    out: { type: 'string' },
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
  const sql = storeSql(app.store);
  // /risk drew this week's call list for its card: a benchmark's plan is no real week's, and it would keep the model from `retention gc`.
  for (const table of ['campaign_outreach', 'campaign_member', 'campaign_plan']) await sql.run(`DELETE FROM ${table}`);
  const plan = await sql.scoreLookupPlan(meta.version, first);
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

const retention = (args: string[], db: string, timeoutS?: number) => measure(['node', BIN, ...args], { RETENTION_DB: db }, timeoutS);
const tsxProbe = (args: string[], timeoutS = 1800) => measure(['node', '--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'scale.ts'), ...args], {}, timeoutS);

/** What the JSON keeps of a stage. */
const stage = (m: Measured) => ({ wallS: m.wallS, peakRssMb: m.peakRssMb, ok: m.ok, load: m.load, err: m.ok ? undefined : m.stderrTail || undefined });
const ratio = (a: number, b: number) => +(a / b).toFixed(2);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function trained(tr: Measured) {
  let out: { model?: string; cv_auc?: number; timings_ms?: Record<string, number> } = {};
  try {
    out = JSON.parse(tr.stdout);
  } catch {
    /* timeout or failure: recorded below */
  }
  return {
    ...stage(tr),
    model: out.model,
    cvAuc: out.cv_auc,
    timingsS: out.timings_ms ? Object.fromEntries(Object.entries(out.timings_ms).map(([k, v]) => [k, +(v / 1000).toFixed(1)])) : undefined,
    err: tr.ok ? undefined : tr.stderrTail || `killed after ${values['train-timeout']} s`,
  };
}

function riskProbe(target: string) {
  const pr = tsxProbe(['--probe-risk', target]);
  try {
    return { ...JSON.parse(pr.stdout), probePeakRssMb: pr.peakRssMb, load: pr.load };
  } catch {
    return { ok: false, err: pr.stderrTail };
  }
}

function botProbe(target: string, n: number) {
  const pb = tsxProbe(['--probe-bot', target, '--probe-bot-customers', String(n)]);
  try {
    return { ...JSON.parse(pb.stdout), probePeakRssMb: pb.peakRssMb };
  } catch {
    return { ok: false, err: pb.stderrTail };
  }
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
    const n = Number(values['probe-bot-customers'] ?? 1000);
    const r = await probeBot({ db: values['probe-bot'], ids: (k) => FIRST_ID + ((k * 7919) % Math.max(1, n - 10)) });
    return void process.stdout.write(JSON.stringify(r));
  }
  const engine = values.engine;
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`--engine must be sqlite or postgres, not ${engine}`);
  values.out ??= join(ROOT, 'bench', 'results', engine === 'postgres' ? 'scale-postgres.json' : 'scale.json');
  if (values.merge) return mergeRuns(values.merge.split(','));

  const sizes = values.sizes!.split(',').map(Number).filter((n) => n > 0);
  const rounds = Math.max(1, Number(values.rounds));
  const work = resolve(values.work!);
  if (work.startsWith(ROOT)) throw new Error('--work must be outside the repository');
  mkdirSync(work, { recursive: true });
  const info: Record<string, unknown> = machine();
  const startup = retention(['--help'], join(work, 'unused.db'));
  const results: Record<string, unknown>[] = [];
  const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
  const stores = engine === 'postgres' ? await postgresStores() : sqliteStores(work);
  // On PostgreSQL the same run measures SQLite too, so the ratios compare figures minutes apart.
  const reference = engine === 'postgres' && !values['no-sqlite-reference'] ? sqliteStores(work) : null;
  if (engine === 'postgres') info.postgres = await stores.describe();
  const write = () => writeFileSync(values.out!, JSON.stringify({ machine: { ...info, loadAvgAtEnd: loadavg().map((x) => +x.toFixed(2)) }, engine, startupS: startup.wallS, results }, null, 2) + '\n');

  try {
    for (const n of sizes) {
      const dir = join(work, `d${n}`);
      const row: Record<string, any> = { customers: n, engine };
      log(`N=${n}: synth`);
      if (!existsSync(join(dir, 'money.csv'))) {
        const s = measure(['node', BIN, 'synth', '--customers', String(n), '--seed', values.seed!, '--out', dir]);
        row.synth = { wallS: s.wallS, peakRssMb: s.peakRssMb, ok: s.ok, seed: Number(values.seed) };
      } else row.synth = { reused: true };
      const bytes = CSV_FILES.reduce((a, f) => a + statSync(join(dir, f)).size, 0);
      const lines = CSV_FILES.reduce((a, f) => a + readFileSync(join(dir, f)).reduce((k, b) => k + (b === 10 ? 1 : 0), 0), 0);
      row.input = { mb: mb(bytes), lines };

      const db = await stores.fresh(n);
      log(`N=${n}: ingest (${engine})`);
      const ing = retention(['ingest', dir, '--json'], db);
      row.ingest = stage(ing);
      log(`N=${n}: ingest floor`);
      const floor = await stores.floor(dir, n);
      const floorKey = engine === 'postgres' ? 'psqlCopy' : 'sqliteImport';
      row[floorKey] = floor ? { wallS: floor.wallS, peakRssMb: floor.peakRssMb, ok: floor.ok, load: floor.load } : null;
      // The SQLite JSON's name for ingest / floor, kept for the runs already recorded.
      const ratioKey = engine === 'postgres' ? 'ingestVsFloor' : 'ingestVsSqlite';
      if (floor?.ok) row[ratioKey] = +(ing.wallS / floor.wallS).toFixed(1);
      if (rounds > 1 && floor?.ok) {
        const all = [{ ingestS: ing.wallS, floorS: floor.wallS, ratio: ratio(ing.wallS, floor.wallS), load: [...ing.load, ...floor.load] }];
        for (let k = 1; k < rounds; k++) {
          log(`N=${n}: ingest and floor, round ${k + 1} of ${rounds}`);
          const scratch = await stores.fresh(n, k);
          const again = retention(['ingest', dir, '--json'], scratch);
          await stores.drop(scratch);
          const f = (await stores.floor(dir, n))!;
          if (again.ok && f.ok) all.push({ ingestS: again.wallS, floorS: f.wallS, ratio: ratio(again.wallS, f.wallS), load: [...again.load, ...f.load] });
        }
        row.ingestRounds = all;
        row.ingestVsFloorMedian = median(all.map((r) => r.ratio));
      }
      let ref: string | null = null;
      if (reference) {
        ref = await reference.fresh(n);
        log(`N=${n}: ingest (sqlite, the same run's reference)`);
        const ri = retention(['ingest', dir, '--json'], ref);
        row.sqlite = { ingest: stage(ri) };
        row.vsSqlite = ri.ok && ing.ok ? { ingest: ratio(ing.wallS, ri.wallS) } : {};
        if (!ri.ok) ref = null;
      }

      log(`N=${n}: train`);
      const tr = retention(['train', '--json'], db, Number(values['train-timeout']));
      row.train = trained(tr);
      if (ref) {
        log(`N=${n}: train (sqlite)`);
        const rt = retention(['train', '--json'], ref, Number(values['train-timeout']));
        row.sqlite.train = trained(rt);
        if (rt.ok && tr.ok) row.vsSqlite.train = ratio(tr.wallS, rt.wallS);
        if (!rt.ok) ref = null;
      }
      if (!tr.ok) {
        results.push(row);
        write();
        continue;
      }
      log(`N=${n}: score`);
      const sc = retention(['score', '--out', join(work, `scores${n}.csv`)], db);
      row.score = stage(sc);
      rmSync(join(work, `scores${n}.csv`), { force: true });
      log(`N=${n}: /risk and segments in process`);
      row.risk = riskProbe(db);
      if (ref) row.sqlite.risk = riskProbe(ref);
      log(`N=${n}: the bot through the emulator`);
      row.bot = botProbe(db, n);
      if (ref) {
        log(`N=${n}: the bot through the emulator (sqlite)`);
        row.sqlite.bot = botProbe(ref, n);
      }
      if (!values['no-gc']) {
        // A second upload of the same size, then the retention policy keeping one version.
        const oneVersion = await stores.sizeMb(db);
        log(`N=${n}: second upload and retention gc`);
        const ing2 = retention(['ingest', dir, '--json'], db);
        const tr2 = retention(['train', '--json'], db, Number(values['train-timeout']));
        const twoVersions = await stores.sizeMb(db);
        const dry = retention(['gc', '--keep', '1', '--dry-run', '--json'], db);
        const gc = retention(['gc', '--keep', '1', '--json'], db);
        const afterGc = await stores.sizeMb(db);
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
          fileMb: { oneVersion, twoVersions, afterGc, afterVacuum: await stores.sizeMb(db) },
          freeMbAfterGc: g ? mb(g.after.freeBytes) : null,
          dropped: g ? { models: g.plan.drop.models.length, datasets: g.plan.drop.datasets.length } : null,
          wallS: { secondIngest: ing2.wallS, secondTrain: tr2.wallS, dryRun: dry.wallS, gc: gc.wallS, vacuum: vac.wallS },
          load: { gc: gc.load, vacuum: vac.load },
          err: gc.ok ? undefined : gc.stderrTail,
        };
      }
      if (n === 10_000 && engine === 'sqlite') {
        // Engine-independent (it reads the CSV files): measured with the SQLite runs only.
        log(`N=${n}: sampled vs full search (held-out AUC)`);
        const au = tsxProbe(['--probe-auc', dir, '--work', work]);
        try {
          row.searchSampling = JSON.parse(au.stdout);
        } catch {
          row.searchSampling = { ok: false, err: au.stderrTail };
        }
      }
      results.push(row);
      write();
    }
  } finally {
    await stores.close();
  }

  write();
  const out = JSON.parse(readFileSync(values.out!, 'utf8'));
  (engine === 'postgres' ? printPgTables : printTables)(out);
}

/** Combines the JSON of separate runs (`--merge a.json,b.json`, e.g. 10k, then 100k+1M) into one results file, sorted by N. */
function mergeRuns(files: string[]): void {
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { machine: Record<string, unknown>; engine?: string; startupS: number; results: Record<string, any>[] });
  const out = {
    machine: { ...runs[0].machine, loadAvgAtEnd: runs.at(-1)!.machine.loadAvgAtEnd, runs: runs.map((r) => r.machine.loadAvgAtStart) },
    engine: runs[0].engine ?? 'sqlite',
    startupS: Math.max(...runs.map((r) => r.startupS)),
    // A later run of the same N replaces an earlier one.
    results: [...new Map(runs.flatMap((r) => r.results).map((r) => [r.customers, r])).values()].sort((a, b) => a.customers - b.customers),
  };
  writeFileSync(values.out!, JSON.stringify(out, null, 2) + '\n');
  (out.engine === 'postgres' ? printPgTables : printTables)(out);
}

function printTables(out: Run): void {
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

type Run = { machine: Record<string, any>; startupS: number; results: Record<string, any>[] };

/** The PostgreSQL run: each stage with its load (1-minute average at start → end), beside the same run's SQLite figure. */
function printPgTables(out: Run): void {
  const p = (s: string) => process.stdout.write(`${s}\n`);
  const m = out.machine;
  const pgs = m.postgres?.settings ?? {};
  p(`\nMachine: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, Node ${m.node}; PostgreSQL ${pgs.server_version} (fsync ${pgs.fsync}, synchronous_commit ${pgs.synchronous_commit}, shared_buffers ${pgs.shared_buffers}); load ${String(m.loadAvgAtStart)} → ${String(m.loadAvgAtEnd)}; CLI start-up ${out.startupS} s (included below)\n`);
  const load = (l?: number[]) => (l ? l.join('→') : '');
  const x = (v?: number) => (v === undefined ? '' : ` (${v}× SQLite)`);
  p('| stage | N | wall s | peak RSS MB | load | target | notes |');
  p('|---|---:|---:|---:|---|---|---|');
  for (const r of out.results) {
    const n = r.customers.toLocaleString('en');
    const ref = r.sqlite ?? {};
    p(`| ingest | ${n} | ${r.ingest?.wallS} | ${r.ingest?.peakRssMb} | ${load(r.ingest?.load)} | ≤ 2× psql \\copy | ${r.input.mb} MB, ${r.input.lines} lines${r.ingest?.ok ? '' : ' FAILED'}${x(r.vsSqlite?.ingest)} |`);
    if (r.psqlCopy) {
      const rounds = r.ingestRounds ? `; median of ${r.ingestRounds.length} rounds ${r.ingestVsFloorMedian}× (${r.ingestRounds.map((k: any) => `${k.ingestS}/${k.floorS}`).join(', ')})` : '';
      p(`| psql \\copy (floor) | ${n} | ${r.psqlCopy.wallS} | ${r.psqlCopy.peakRssMb} | ${load(r.psqlCopy.load)} | — | ingest / floor = ${r.ingestVsFloor}×${rounds} |`);
    }
    if (ref.ingest) p(`| ingest on SQLite (same run) | ${n} | ${ref.ingest.wallS} | ${ref.ingest.peakRssMb} | ${load(ref.ingest.load)} | — | |`);
    const t = r.train;
    const parts = t?.timingsS ? ` (search ${t.timingsS.search}, refit ${t.timingsS.refit}, save ${t.timingsS.save} s)` : '';
    p(`| train | ${n} | ${t?.wallS} | ${t?.peakRssMb} | ${load(t?.load)} | ≤ 1.5× SQLite | ${t?.ok ? `${t.model}, CV AUC ${t.cvAuc?.toFixed(4)}${parts}${x(r.vsSqlite?.train)}` : `FAILED: ${t?.err}`} |`);
    if (ref.train) {
      const rt = ref.train;
      const rp = rt.timingsS ? ` (search ${rt.timingsS.search}, refit ${rt.timingsS.refit}, save ${rt.timingsS.save} s)` : '';
      p(`| train on SQLite (same run) | ${n} | ${rt.wallS} | ${rt.peakRssMb} | ${load(rt.load)} | — | ${rt.ok ? `${rt.model}, CV AUC ${rt.cvAuc?.toFixed(4)}${rp}` : `FAILED: ${rt.err}`} |`);
    }
    if (r.score) p(`| score --out | ${n} | ${r.score.wallS} | ${r.score.peakRssMb} | ${load(r.score.load)} | 1M: ≤ 20 s | |`);
    if (r.risk?.customers) {
      p(`| segments, first answer in a process | ${n} | ${(r.risk.snapshotBuildMs / 1000).toFixed(2)} | +${r.risk.snapshotHeapMb} heap | ${load(r.risk.load)} | ≤ 0.2 s | a segment summary: ${r.risk.segmentAfterSnapshotMs} ms |`);
      p(`| /risk after warm-up | ${n} | ${r.risk.riskCoreMsMedian} ms | — | ${load(r.risk.load)} | index lookups, no scans | median of 30 (max ${r.risk.riskCoreMsMax} ms); with the drivers chart ${r.risk.riskWithChartMsMedian} ms; ${r.risk.scoreLookupPlan} |`);
    }
    if (ref.risk?.customers) {
      const q = ref.risk;
      p(`| /risk after warm-up on SQLite (same run) | ${n} | ${q.riskCoreMsMedian} ms | — | ${load(q.load)} | — | median of 30 (max ${q.riskCoreMsMax} ms); with the drivers chart ${q.riskWithChartMsMedian} ms; segments ${(q.snapshotBuildMs / 1000).toFixed(2)} s, a summary ${q.segmentAfterSnapshotMs} ms |`);
    }
    if (r.gc?.fileMb) {
      const g = r.gc;
      p(`| retention gc --keep 1 (after a 2nd upload) | ${n} | ${g.wallS.gc} | — | ${load(g.load?.gc)} | — | database ${g.fileMb.oneVersion} → ${g.fileMb.twoVersions} MB with two versions; gc drops ${g.dropped?.models} model + ${g.dropped?.datasets} data set → ${g.fileMb.afterGc} MB, ~${g.freeMbAfterGc} MB reusable; --vacuum (VACUUM FULL) ${g.wallS.vacuum} s → ${g.fileMb.afterVacuum} MB |`);
    }
    if (r.bot?.phases) botTable(r.customers, r.bot, ref.bot?.phases ? ref.bot : undefined).forEach(p);
  }
}

/** The bot probe's phases as table rows (bench/support/probeBot.ts); with `sqlite`, that run's figures beside them. */
type BotRun = { phases: Record<string, any>[]; eventLoopAfterPolling: { maxMs: number; p99Ms: number } };

export function botTable(n: number, bot: BotRun, sqlite?: BotRun): string[] {
  const answer = (ph: Record<string, any>) =>
    ph.ms ?? (ph.chartMs !== undefined ? `${ph.textMs} text / ${ph.chartMs} chart` : `${ph.textMedianMs} text median (max ${ph.textMaxMs}) / ${ph.chartMedianMs} chart`);
  const notes = (ph: Record<string, any>) =>
    ph.riskDuringExport
      ? `/risk during it: ${ph.riskDuringExport.requests}×, text max ${ph.riskDuringExport.textMaxMs} ms, chart max ${ph.riskDuringExport.chartMaxMs} ms; ${ph.bytes} bytes`
      : ph.riskDuring
        ? `${ph.atRisk} at risk; /risk during it: ${ph.riskDuring.requests}×, text max ${ph.riskDuring.textMaxMs} ms`
        : '';
  const title = `\nThe bot at ${n.toLocaleString('en')} customers (emulator in its own process)\n`;
  if (!sqlite) {
    const out = [title, '| phase | answer ms | loop max ms | load | notes |', '|---|---:|---:|---|---|'];
    for (const ph of bot.phases) out.push(`| ${ph.what} | ${answer(ph)} | ${ph.loopMaxMs} | ${(ph.load ?? []).join(' ')} | ${notes(ph)} |`);
    out.push(`| event loop after polling started | — | ${bot.eventLoopAfterPolling.maxMs} | | p99 ${bot.eventLoopAfterPolling.p99Ms} ms |`);
    return out;
  }
  const out = [title, '| phase | PostgreSQL ms | loop max | load | SQLite ms (same run) | loop max | load | notes (PostgreSQL; SQLite) |', '|---|---:|---:|---|---:|---:|---|---|'];
  for (const ph of bot.phases) {
    const s = sqlite.phases.find((q) => q.what === ph.what) ?? {};
    out.push(`| ${ph.what} | ${answer(ph)} | ${ph.loopMaxMs} | ${(ph.load ?? [])[0] ?? ''} | ${s.what ? answer(s) : ''} | ${s.loopMaxMs ?? ''} | ${(s.load ?? [])[0] ?? ''} | ${[notes(ph), s.what ? notes(s) : ''].filter(Boolean).join('; ')} |`);
  }
  const [a, b] = [bot.eventLoopAfterPolling, sqlite.eventLoopAfterPolling];
  out.push(`| event loop after polling started | — | ${a.maxMs} | | — | ${b.maxMs} | | p99 ${a.p99Ms} ms; ${b.p99Ms} ms |`);
  return out;
}

await main();
