/** `retention …` prints Russian for people, like the bot, and keeps `--json` English-keyed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, ensureModel } from '../../src/app/app.ts';
import { createProgram } from '../../src/cli/program.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/data/sqlite/store.ts';
import { createLogger } from '../../src/logger.ts';
import { DEMO_DIR } from '../support/appFixture.ts';

let dir: string;

/** Runs one command in process and returns what it printed on stdout. */
async function cli(...args: string[]): Promise<string> {
  const program = createProgram({
    openApp: () => buildApp(loadConfig({ RETENTION_DB: join(dir, 'cli.db'), CHART_OUT_DIR: join(dir, 'charts') }), createLogger(() => undefined)),
    ensureModel,
    startBot: async () => undefined,
    startConsole: async () => undefined,
  });
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'retention', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

let ingest: string;
let dropped: number[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  ingest = await cli('ingest', DEMO_DIR);
  dropped = [...ingest.matchAll(/исключён (\d+)/g)].map((m) => Number(m[1]));
  await cli('train', '--families', 'logistic', '--folds', '3', '--repeats', '1');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI for people', () => {
  it('ingest says in Russian what was kept and why customers were dropped', () => {
    const lines = ingest.trim().split('\n');
    expect(lines[0]).toMatch(/^Данные v1: в выгрузке 1\s300 клиентов, в анализе 1\s296, из них с активностью «Снизилась» \d+\.$/);
    expect(lines.slice(1)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ {2}исключён \d+: нулевая выручка в одном из месяцев$/)]),
    );
    expect(ingest).not.toMatch(/dropped|zero_revenue|customers/);
    expect(dropped.length).toBe(4);
  });

  it('risk answers like the bot, and explains a dropped id', async () => {
    expect(await cli('risk', String(dropped[0]))).toMatch(new RegExp(`^Клиент ${dropped[0]} есть в выгрузке, но исключён из анализа: `));
    expect(await cli('risk', '100001')).toMatch(/^(🟢|🟡|🔴) Клиент 100001: /);
  });

  it('top-features, model list and train print Russian', async () => {
    expect(await cli('top-features')).toMatch(/^Что сильнее всего влияет на риск снижения покупок/);
    expect(await cli('model', 'list')).toMatch(/^\* v1 {2}логистическая регрессия\s+ROC-AUC 0,\d{4} {2}данные v1 {2}/);
  });

  it('--json stays English-keyed', async () => {
    const r = JSON.parse(await cli('risk', '100001', '--json'));
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['id', 'probability', 'band', 'drivers', 'base_rate', 'expected_loss', 'previous']));
    expect(JSON.parse(await cli('risk', String(dropped[0]), '--json'))).toEqual({ id: dropped[0], excluded: expect.stringMatching(/^(zero_revenue|revenue_outlier)$/) });
    process.exitCode = undefined;
    const top = JSON.parse(await cli('top-features', '--json'));
    expect(top[0]).toEqual({ feature: expect.any(String), importance: expect.any(Number), direction: expect.anything() });
  });
});

describe('train and ingest next to a bot: the retrain lease', () => {
  const FAST = ['--families', 'logistic', '--folds', '3', '--repeats', '1'];
  const FAR = '9999-01-01T00:00:00.000Z';

  it('train waits, saying so, while another process retrains, and trains once it is done', async () => {
    const bot = openStore(join(dir, 'cli.db')); // the bot's process, retraining
    try {
      expect(await bot.leases.acquire('retrain', 'bot', FAR, new Date().toISOString())).toBe(true);
      const models = (await bot.models.list()).length;
      let stderr = '';
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr += chunk.toString();
        return true;
      });
      try {
        const training = cli('train', ...FAST);
        await new Promise((r) => setTimeout(r, 700));
        expect(stderr).toContain('Идёт другое обучение или загрузка данных (бот или другая команда) — жду');
        expect(await bot.models.list()).toHaveLength(models);
        await bot.leases.release('retrain', 'bot');
        expect(await training).toMatch(/^Модель v\d+: логистическая регрессия/);
      } finally {
        spy.mockRestore();
      }
      expect(await bot.models.list()).toHaveLength(models + 1);
      expect(bot.db.prepare('SELECT count(*) FROM lease').pluck().get()).toBe(0);
    } finally {
      await bot.close();
    }
  });

  it('the bot’s training child works under the lease its parent holds, and leaves it to the parent', async () => {
    const bot = openStore(join(dir, 'cli.db'));
    try {
      await bot.leases.acquire('retrain', 'bot-7', FAR, new Date().toISOString());
      expect(await cli('train', ...FAST, '--lease-owner', 'bot-7')).toMatch(/^Модель v\d+/);
      expect(bot.db.prepare('SELECT owner FROM lease').pluck().all()).toEqual(['bot-7']);
      await bot.leases.release('retrain', 'bot-7');
    } finally {
      await bot.close();
    }
  });
});
