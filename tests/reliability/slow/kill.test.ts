/**
 * Hard crashes: `retention ingest`, `retention train` and `retention digest --send` run as child
 * processes on a temp RETENTION_DB and are SIGKILLed mid-way. After each, the store passes
 * PRAGMA integrity_check, the previous model answers /risk exactly as before, and running the
 * command again redoes only the interrupted work. `npm run test:reliability`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { synthesize } from '../../../src/data/index.ts';
import type { SqliteStore } from '../../../src/data/sqlite/store.ts';
import { createLogger } from '../../../src/logger.ts';
import { buildApp, type App } from '../../../src/app/app.ts';
import { telegramDigestTransport } from '../../../src/bot/digest.ts';
import { createSendThrottle } from '../../../src/bot/throttle.ts';
import { botApiClient, currentPeriod, digestRunner } from '../../../src/app/digest.ts';
import { startEmulator, type TelegramEmulator } from '../../support/telegramEmulator.ts';

const BIN = resolve(process.cwd(), 'bin', 'retention.js');
/** A customer of the served demo set, picked once it is trained. */
let PROBE_ID: number;
let dir: string;
let db: string;
let bigData: string;

function open(env: Record<string, string> = {}): Promise<App> {
  return buildApp(loadConfig({ RETENTION_DB: db, CHART_OUT_DIR: join(dir, 'charts'), ...env }), createLogger(() => {}));
}

/** What users see, read by a fresh process-like open of the store. */
async function served() {
  const app = await open();
  try {
    const r = await app.assistant.risk(PROBE_ID);
    return {
      integrity: (app.store as SqliteStore).db.pragma('integrity_check', { simple: true }),
      model: await app.store.models.activeVersion(),
      models: (await app.store.models.list()).length,
      datasets: (await app.store.datasets.list()).length,
      risk: { p: r.probability, drivers: r.drivers.map((d) => d.feature), offer: r.offer },
    };
  } finally {
    await app.close();
  }
}

/** Empties the WAL so the child's first write is visible as WAL growth. */
async function checkpoint(): Promise<void> {
  const app = await open();
  (app.store as SqliteStore).db.pragma('wal_checkpoint(TRUNCATE)');
  await app.close();
}
const walSize = () => (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, RETENTION_DB: db, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, stderr })));
  return { child, done };
}

/** SIGKILLs the child as soon as `when()` holds (checked every 10 ms). */
async function killWhen(child: ChildProcess, when: () => boolean, limitMs = 240_000): Promise<void> {
  const t0 = Date.now();
  while (child.exitCode === null && Date.now() - t0 < limitMs) {
    if (when()) {
      child.kill('SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retention-kill-'));
  db = join(dir, 'retention.db');
  bigData = join(dir, 'big');
  await synthesize({ customers: 150_000, seed: 3, outDir: bigData });
  const app = await open();
  await app.assistant.ingestDir(resolve(process.cwd(), 'data'));
  await app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 });
  PROBE_ID = (await app.assistant.exampleId())!;
  await app.close();
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGKILL mid-way', () => {
  it('during ingest: the store is intact, nothing half-written, the old model answers; a rerun adds one version', async () => {
    const before = await served();
    await checkpoint();
    const { child, done } = run(['ingest', bigData]);
    await killWhen(child, () => walSize() > 1_000_000); // inside the one insert transaction
    const r = await done;
    expect(r.signal).toBe('SIGKILL');
    expect(await served()).toEqual(before);

    const again = await run(['ingest', bigData]).done;
    expect(again.code).toBe(0);
    const after = await served();
    expect(after.datasets).toBe(before.datasets + 1);
    expect(after.risk).toEqual(before.risk); // ingest alone changes nothing users see
  }, 300_000);

  it('during training: the previous model stays active and answers the same; a rerun activates one new version', async () => {
    const before = await served();
    await checkpoint();
    const { child, done } = run(['train', '--families', 'logistic', '--folds', '3', '--repeats', '1']);
    await killWhen(child, () => walSize() > 0); // the save transaction has started writing scores
    const r = await done;
    expect(r.signal).toBe('SIGKILL');
    expect(await served()).toEqual(before);

    const again = await run(['train', '--families', 'logistic', '--folds', '3', '--repeats', '1']).done;
    expect(again.code, again.stderr).toBe(0);
    const after = await served();
    expect(after.integrity).toBe('ok');
    expect(after.models).toBe(before.models + 1);
    expect(after.model).not.toBe(before.model);
  }, 600_000);

  it('during a digest run: after restart no part reaches a chat twice, and at most the parts in flight are missing', async () => {
    const tg: TelegramEmulator = await startEmulator();
    try {
      const CHATS = Array.from({ length: 24 }, (_, i) => 5000 + i);
      for (const c of CHATS) tg.createChat(c); // users who started the bot long ago
      const app = await open();
      for (const c of CHATS) await app.store.subscribers.subscribe(c, c);
      await app.close();
      // The subscribers must still be allowed, or every send is refused as revoked access.
      const allowed = { ALLOWED_USER_IDS: CHATS.join(',') };
      const env = { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, ...allowed };
      const sends = () => tg.calls.filter((c) => /^send/.test(c.method) && c.ok).length;
      const { child, done } = run(['digest', '--send'], env);
      await killWhen(child, () => sends() >= 20, 120_000);
      const killed = await done;
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      // A request already on the wire when the process died may still reach the emulator; let it land.
      await new Promise((r) => setTimeout(r, 500));
      const sentAtKill = sends();
      expect(sentAtKill).toBeLessThan(CHATS.length * 3);

      // Right after the crash the dead process still holds the lease: a restart must not send.
      const busy = await run(['digest', '--send'], env).done;
      expect(busy.code).toBe(1);
      expect(sends()).toBe(sentAtKill);

      // Once the lease has expired (5 min later), the next trigger resumes the run.
      let partsLost = 0;
      const resumed = await open(allowed);
      try {
        const later = new Date(Date.now() + 6 * 60_000);
        const runner = digestRunner(
          resumed,
          telegramDigestTransport(botApiClient({ telegramToken: tg.token, telegramApiRoot: tg.apiRoot }), createSendThrottle({ perSecond: 1000, perChatIntervalMs: 0 })),
          { now: () => later },
        );
        const report = await runner.deliver(currentPeriod(resumed.config), { trigger: 'retry' });
        expect(report.outcome).toBe('done');
        expect(report.counts.sent).toBe(CHATS.length);
        partsLost = report.partsLost;
        expect((resumed.store as SqliteStore).db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        await resumed.close();
      }
      let missing = 0;
      for (const c of CHATS) {
        const kinds = tg.sent(c).map((m) => (m.text ? 'text' : m.photo ? 'photo' : 'document'));
        expect(kinds.length, `chat ${c}: nothing twice`).toBe(new Set(kinds).size);
        expect(kinds.length, `chat ${c}: at most its part in flight missing`).toBeGreaterThanOrEqual(2);
        missing += 3 - kinds.length;
      }
      // At most once: a part in flight at the kill is not sent again, so it may be missing (one per chat in flight, concurrency 8).
      expect(missing).toBeLessThanOrEqual(partsLost);
      // Some chat was mid-part at the kill (a part is in flight from before its throttled send until its answer), and it was not sent again.
      expect(partsLost).toBeGreaterThan(0);
      expect(partsLost).toBeLessThanOrEqual(8);
    } finally {
      await tg.close();
    }
  }, 300_000);
});
