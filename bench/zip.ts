/**
 * A ZIP bomb upload against the data reader: what it costs the bot process in memory, and how
 * long other work on the event loop (another chat's /risk) has to wait meanwhile.
 *
 * The bomb: three CSV entries, each under the per-entry cap (512 MB) and together over the
 * total cap (1 GB), made of blank lines after a header so that a CSV reader keeps reading.
 * Each scenario runs in its own process, so its peak RSS (the kernel's maxRSS) is its own:
 *   before           — fflate's unzipSync with the old header-size filter, as sources.ts did;
 *   inflate          — bufferSources' streaming entries, drained raw until the cap refuses them;
 *   readDatasetFiles — the whole upload path (inflate + CSV reader) until the upload is refused.
 * Meanwhile a 50 ms timer probes the event loop (its lateness) and perf_hooks'
 * monitorEventLoopDelay records the loop's delay.
 *
 *   npm run bench:zip
 *   npm run bench:zip -- --entry-mb 400 --entries 3 --skip-before
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDeflateRaw } from 'node:zlib';
import { zipSync, unzipSync } from 'fflate';
import { ProblemLog } from '../src/data/csv/problems.ts';
import { bufferSources } from '../src/data/csv/sources.ts';
import { readDatasetFiles } from '../src/data/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MB = 1024 * 1024;
const SCENARIOS = ['before', 'inflate', 'readDatasetFiles'] as const;
type Scenario = (typeof SCENARIOS)[number];
const ROLES = ['market_file.csv', 'market_money.csv', 'market_time.csv'];

const { values } = parseArgs({
  options: {
    'entry-mb': { type: 'string', default: '400' },
    entries: { type: 'string', default: '3' },
    'skip-before': { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench', 'results', 'zip.json') },
    probe: { type: 'string' },
    bomb: { type: 'string' },
  },
});

/** One entry: a header, then blank lines; deflated as a stream so the bomb is built without holding it inflated. */
async function deflatedBlankLines(bytes: number): Promise<Uint8Array> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => deflate.on('end', r));
  deflate.write(Buffer.from('id,x\n'));
  const block = Buffer.alloc(MB, '\n');
  for (let left = bytes - 5; left > 0; left -= block.length) {
    if (!deflate.write(left >= block.length ? block : block.subarray(0, left))) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/**
 * A ZIP of pre-deflated entries: fflate's zipSync stores level-0 data as is, so each entry is
 * written as "stored" and then patched to say "deflate" with the true sizes, CRC left at 0 (no
 * reader here checks it).
 */
function zipOfDeflated(entries: { name: string; deflated: Uint8Array; size: number }[]): Buffer {
  const zip = Buffer.from(zipSync(Object.fromEntries(entries.map((e) => [e.name, [e.deflated, { level: 0 }]]))));
  for (let at = 0; at + 4 <= zip.length; at++) {
    const sig = zip.readUInt32LE(at);
    if (sig !== 0x04034b50 && sig !== 0x02014b50) continue;
    const central = sig === 0x02014b50;
    const nameAt = at + (central ? 46 : 30);
    const name = zip.subarray(nameAt, nameAt + zip.readUInt16LE(at + (central ? 28 : 26))).toString('utf8');
    const entry = entries.find((e) => e.name === name);
    if (!entry) continue;
    zip.writeUInt16LE(8, at + (central ? 10 : 8));
    zip.writeUInt32LE(0, at + (central ? 16 : 14));
    zip.writeUInt32LE(entry.size, at + (central ? 24 : 22));
  }
  return zip;
}

// ---------------------------------------------------------------- probe (child process)

/** The archive's own problem (the reader also lists the files it then could not read). */
function refusal(e: unknown): string {
  const problems = (e as { problems?: { file: string; message: string }[] }).problems;
  if (!problems) return `failed: ${String(e)}`;
  const own = problems.find((p) => p.file === 'bomb.zip');
  return `refused (${problems.length} problems): ${own?.message ?? problems[0]?.message}`;
}

async function probe(scenario: Scenario, bombPath: string): Promise<void> {
  const bomb = new Uint8Array(readFileSync(bombPath));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const idleRss = process.memoryUsage().rss;

  const loop = monitorEventLoopDelay({ resolution: 10 });
  const PROBE_MS = 50;
  let probeMaxLateMs = 0;
  let probes = 0;
  let expected = performance.now() + PROBE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    probeMaxLateMs = Math.max(probeMaxLateMs, now - expected);
    probes++;
    expected = now + PROBE_MS;
  }, PROBE_MS);
  loop.enable();
  // The monitor drops its first sample: let it tick before the work, or a block at once goes unseen.
  await new Promise((r) => setTimeout(r, PROBE_MS * 2));

  const t0 = performance.now();
  let outcome = '';
  let inflatedBytes = 0;
  if (scenario === 'before') {
    // The code this replaced: per-entry cap on the header's size, everything inflated at once.
    const entries = unzipSync(bomb, { filter: (f) => f.originalSize <= 512 * MB });
    for (const e of Object.values(entries)) inflatedBytes += e.length;
    outcome = `inflated ${Object.keys(entries).length} entries`;
  } else if (scenario === 'inflate') {
    const sources = bufferSources({ 'bomb.zip': bomb }, new ProblemLog());
    try {
      for (const src of Object.values(sources)) for await (const chunk of src.open()) inflatedBytes += chunk.length;
      outcome = 'read to the end';
    } catch (e) {
      outcome = refusal(e);
    }
  } else {
    try {
      await readDatasetFiles({ 'bomb.zip': bomb });
      outcome = 'accepted';
    } catch (e) {
      outcome = refusal(e);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  // A synchronous inflate never let the probe run: give it the turn it was waiting for, so its lateness is counted.
  await new Promise((r) => setTimeout(r, PROBE_MS * 2));
  loop.disable();
  clearInterval(timer);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const ms = (ns: number) => +(ns / 1e6).toFixed(1);
  process.stdout.write(
    JSON.stringify({
      scenario,
      seconds: +seconds.toFixed(2),
      inflatedMb: inflatedBytes ? Math.round(inflatedBytes / MB) : null,
      idleRssMb: Math.round(idleRss / MB),
      peakRssOverIdleMb: Math.round((peakRss - idleRss) / MB),
      loopDelayP99Ms: ms(loop.percentile(99)),
      loopDelayMaxMs: ms(loop.max),
      probeMaxLateMs: +probeMaxLateMs.toFixed(1),
      probes,
      outcome,
    }) + '\n',
  );
}

// ---------------------------------------------------------------- driver

async function main(): Promise<void> {
  if (values.probe) return probe(values.probe as Scenario, values.bomb!);
  const entryBytes = Number(values['entry-mb']) * MB;
  const count = Math.max(1, Math.min(ROLES.length, Number(values.entries)));
  const deflated = await deflatedBlankLines(entryBytes);
  const bomb = zipOfDeflated(ROLES.slice(0, count).map((name) => ({ name, deflated, size: entryBytes })));
  const dir = mkdtempSync(join(tmpdir(), 'bench-zip-'));
  const bombPath = join(dir, 'bomb.zip');
  writeFileSync(bombPath, bomb);

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAvgAtStart: loadavg().map((x) => +x.toFixed(2)),
  };
  const results = [];
  for (const scenario of SCENARIOS) {
    if (scenario === 'before' && values['skip-before']) continue;
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'zip.ts'), '--probe', scenario, '--bomb', bombPath], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 16 * MB,
      timeout: 900_000,
    });
    if (r.status !== 0) throw new Error(`${scenario} failed: ${r.stderr}`);
    results.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!));
  }
  rmSync(dir, { recursive: true, force: true });

  const upload = { zipMb: +(bomb.length / MB).toFixed(2), entries: count, entryMb: entryBytes / MB, inflatedTotalMb: (count * entryBytes) / MB };
  writeFileSync(values.out!, JSON.stringify({ machine: { ...machine, loadAvgAtEnd: loadavg().map((x) => +x.toFixed(2)) }, upload, results }, null, 2) + '\n');

  console.log(`\nZIP bomb: ${upload.zipMb} MB upload, ${count} × ${upload.entryMb} MB entries (${upload.inflatedTotalMb} MB inflated); caps 512 MB per entry, 1024 MB in all\n`);
  console.log('| scenario | time, s | inflated, MB | peak RSS over idle, MB | loop delay p99 / max, ms | 50 ms probe, max late, ms | outcome |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    console.log(`| ${r.scenario} | ${r.seconds} | ${r.inflatedMb ?? '—'} | ${r.peakRssOverIdleMb} | ${r.loopDelayP99Ms} / ${r.loopDelayMaxMs} | ${r.probeMaxLateMs} | ${r.outcome} |`);
  }
  console.log(`\nwritten to ${values.out}`);
}

await main();
