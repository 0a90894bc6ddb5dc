/** withLease beyond the retrainer: confirming before a decisive write, a lease joined for a parent, a dead holder on this host. */
import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { LeaseTakenError } from '../../src/core/errors.ts';
import { leaseOwner, ownerGone, withLease } from '../../src/core/lease.ts';
import { openStore, type SqliteStore } from '../../src/data/sqlite/store.ts';

let store: SqliteStore;
afterEach(() => store?.close());
const holder = () => store.db.prepare("SELECT owner FROM lease WHERE name = 'retrain'").pluck().get();

it('confirm renews while the lease is ours, and throws (aborting `lost`) once another process took it', async () => {
  store = openStore(':memory:');
  let lost: AbortSignal | undefined;
  const run = withLease(store.leases, { name: 'retrain', owner: 'me', ttlMs: 60_000 }, async (held) => {
    lost = held.lost;
    await held.confirm();
    store.db.prepare("UPDATE lease SET owner = 'other'").run();
    await held.confirm();
    return 'written';
  });
  await expect(run).rejects.toBeInstanceOf(LeaseTakenError);
  expect(lost?.aborted).toBe(true);
  expect(holder()).toBe('other');
});

it('a joined lease (the parent bot’s) is worked under and left in place at the end', async () => {
  store = openStore(':memory:');
  await store.leases.acquire('retrain', 'parent', '9999-01-01T00:00:00.000Z', new Date().toISOString());
  const result = await withLease(store.leases, { name: 'retrain', owner: 'parent', keep: true, maxWaitMs: 0 }, async (held) => {
    await held.confirm();
    return 'trained';
  });
  expect(result).toBe('trained');
  expect(holder()).toBe('parent');
});

it('a holder on this host whose process is gone is taken over at once, not at its expiry', async () => {
  store = openStore(':memory:');
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
  const dead = leaseOwner().replace(/:\d+:/, `:${deadPid}:`);
  expect(ownerGone(dead)).toBe(true);
  expect(ownerGone(leaseOwner())).toBe(false); // this process
  expect(ownerGone(`elsewhere/1:${deadPid}:abcd1234`)).toBe(false); // another host: only expiry tells
  await store.leases.acquire('retrain', dead, '9999-01-01T00:00:00.000Z', new Date().toISOString());
  const done = await withLease(store.leases, { name: 'retrain', owner: 'me', maxWaitMs: 0 }, async () => holder());
  expect(done).toBe('me');
  await store.leases.acquire('retrain', `elsewhere/1:${deadPid}:abcd1234`, '9999-01-01T00:00:00.000Z', new Date().toISOString());
  await expect(withLease(store.leases, { name: 'retrain', owner: 'me', maxWaitMs: 0 }, async () => 'ran')).rejects.toThrow(/still held/);
});
