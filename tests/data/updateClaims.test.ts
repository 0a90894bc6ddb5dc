/** Update claims on SQLite: one winner per update id, across connections (replicas) on one file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../../src/data/index.ts';

const T0 = '2026-12-01T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

let dir: string;
const stores: SqliteStore[] = [];
const open = () => {
  const s = openStore(join(dir, 'retention.db'));
  stores.push(s);
  return s;
};
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('grants the first claim of an update id and refuses every copy, the same owner included', async () => {
  dir = mkdtempSync(join(tmpdir(), 'claims-'));
  const claims = open().updateClaims;
  expect(await claims.claim(1, 'a', at(60), T0)).toBe(true);
  expect(await claims.claim(1, 'a', at(60), at(1))).toBe(false);
  expect(await claims.claim(1, 'b', at(61), at(1))).toBe(false);
  expect(await claims.claim(2, 'b', at(60), T0)).toBe(true);
});

it('two connections to one SQLite file (two replicas) never both win an update', async () => {
  dir = mkdtempSync(join(tmpdir(), 'claims-'));
  const [a, b] = [open().updateClaims, open().updateClaims];
  const ids = Array.from({ length: 50 }, (_, i) => 1000 + i);
  const wins = await Promise.all(ids.flatMap((id) => [a.claim(id, 'a', at(60), T0), b.claim(id, 'b', at(60), T0)]));
  for (let i = 0; i < ids.length; i++) expect(Number(wins[2 * i]) + Number(wins[2 * i + 1])).toBe(1);
});

it('an expired claim can be taken again (Telegram renumbers at random after a quiet week); prune forgets expired ones only', async () => {
  dir = mkdtempSync(join(tmpdir(), 'claims-'));
  const store = open();
  await store.updateClaims.claim(7, 'a', at(60), T0);
  await store.updateClaims.claim(8, 'a', at(120), T0);
  expect(await store.updateClaims.claim(7, 'b', at(200), at(59))).toBe(false);
  expect(await store.updateClaims.claim(7, 'b', at(200), at(60))).toBe(true);
  expect(store.db.prepare('SELECT owner FROM update_claim WHERE update_id = 7').pluck().get()).toBe('b');

  expect(await store.updateClaims.prune(at(150))).toBe(1); // 8 expired at +120; 7 now runs to +200
  expect(store.db.prepare('SELECT update_id FROM update_claim').pluck().all()).toEqual([7]);
  expect(await store.updateClaims.claim(8, 'c', at(300), at(150))).toBe(true);
});
