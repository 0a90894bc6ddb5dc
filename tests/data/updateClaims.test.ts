/** Update claims on SQLite: one winner per update id, across connections (replicas) on one file. */
import { afterEach, expect, it } from 'vitest';
import { sharedSqliteFile } from './helpers.ts';

const T0 = '2026-12-01T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

let file: ReturnType<typeof sharedSqliteFile> | undefined;
const open = () => file!.open();
afterEach(async () => {
  await file?.close();
  file = undefined;
});

it('grants the first claim of an update id and refuses every copy, the same owner included', async () => {
  file = sharedSqliteFile('claims-');
  const claims = open().updateClaims;
  expect(await claims.claim(1, 'a', at(60), T0)).toBe(true);
  expect(await claims.claim(1, 'a', at(60), at(1))).toBe(false);
  expect(await claims.claim(1, 'b', at(61), at(1))).toBe(false);
  expect(await claims.claim(2, 'b', at(60), T0)).toBe(true);
});

it('two connections to one SQLite file (two replicas) never both win an update', async () => {
  file = sharedSqliteFile('claims-');
  const [a, b] = [open().updateClaims, open().updateClaims];
  const ids = Array.from({ length: 50 }, (_, i) => 1000 + i);
  const wins = await Promise.all(ids.flatMap((id) => [a.claim(id, 'a', at(60), T0), b.claim(id, 'b', at(60), T0)]));
  for (let i = 0; i < ids.length; i++) expect(Number(wins[2 * i]) + Number(wins[2 * i + 1])).toBe(1);
});

it('an expired claim can be taken again (Telegram renumbers at random after a quiet week); prune forgets expired ones only', async () => {
  file = sharedSqliteFile('claims-');
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
