/**
 * The CLI contract for bad input: `retention ingest` exits with 2 and prints one `file:line: message`
 * per problem on stderr, nothing on stdout; the store answers `retention risk` exactly as before.
 * SQL meta-characters in a command argument are refused before they reach the store.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { servedIds, trainedApp, type Fixture } from '../support/appFixture.ts';
import { cleanupTmp, dataLines, writeSet } from '../data/helpers.ts';

const BIN = resolve(process.cwd(), 'bin', 'retention.js');
let fx: Fixture;

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, RETENTION_DB: fx.app.config.dbPath }, encoding: 'utf8', timeout: 120_000 });

beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(async () => {
  await fx?.dispose();
  cleanupTmp();
});

it('ingest of a broken set: exit 2, every problem as file:line: message, store and /risk unchanged', async () => {
  const id = String((await servedIds(fx.app))[0]);
  const before = cli('risk', id, '--json');
  expect(before.status, before.stderr).toBe(0);
  const datasets = (await fx.app.store.datasets.list()).length;

  const money = dataLines('market_money.csv').slice();
  money[4] = money[4].replace(/,[^,]*$/, ',сто');
  const market = dataLines('market_file.csv').slice(0, -1); // the last customer is now in three files only
  const dir = writeSet({ 'market_money.csv': money, 'market_file.csv': market, 'market_time.csv': '' });
  const r = cli('ingest', dir);

  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(3);
  for (const l of lines) expect(l).toMatch(/^[^\s:]+\.csv:\d+: \S/);
  expect(lines.some((l) => l.startsWith('market_money.csv:5: '))).toBe(true);
  expect(lines.some((l) => l.startsWith('market_time.csv:'))).toBe(true);

  expect(await fx.app.store.datasets.list()).toHaveLength(datasets);
  const after = cli('risk', id, '--json');
  expect(after.stdout).toBe(before.stdout);
});

it('SQL meta-characters as a customer id are refused by the argument parser; the tables are intact', async () => {
  const r = cli('risk', "1; DROP TABLE customer; --");
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/not an integer/);
  expect((await fx.app.store.datasets.customers((await fx.app.store.datasets.latest())!.version)).length).toBeGreaterThan(1000);
});
