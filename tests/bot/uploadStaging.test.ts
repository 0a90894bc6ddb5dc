import { afterEach, describe, expect, it } from 'vitest';
import { UploadStaging } from '../../src/bot/uploadStaging.ts';
import { openStore, type SqliteStore } from '../../src/data/sqlite/store.ts';

const file = (role: string, size = 10, fileName = role) => ({ role, fileName, bytes: Buffer.alloc(size, role.charCodeAt(0)) });

const stores: SqliteStore[] = [];
const state = () => {
  const s = openStore(':memory:');
  stores.push(s);
  return s.chatState;
};
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('UploadStaging', () => {
  it('a file with the same role replaces the staged one; other chats see none of it', async () => {
    const s = new UploadStaging(state(), { ttlMs: 1000 });
    await s.add(1, file('b.csv', 1, 'b (1).csv'));
    await s.add(1, file('b.csv', 2, 'b.csv'));
    expect((await s.files(1)).map((f) => [f.fileName, f.bytes.length])).toEqual([['b.csv', 2]]);
    expect((await s.files(1))[0].bytes.equals(file('b.csv', 2).bytes)).toBe(true);
    expect(await s.files(2)).toEqual([]);
  });

  it('forgets a chat after ttl without a new file, and says so on the next one', async () => {
    let now = 0;
    const s = new UploadStaging(state(), { ttlMs: 1000, now: () => now });
    expect((await s.add(1, file('a.csv'))).expired).toBe(false);
    now = 1000;
    expect((await s.add(1, file('b.csv'))).expired).toBe(false); // each file restarts the wait
    now = 2001;
    expect(await s.files(1)).toEqual([]);
    expect((await s.add(1, file('c.csv'))).expired).toBe(true);
    expect((await s.files(1)).map((f) => f.role)).toEqual(['c.csv']);
  });

  it('stays bounded: the least recently touched chats go first, never the one being added to', async () => {
    let now = 0;
    const s = new UploadStaging(state(), { ttlMs: 60_000, maxChats: 2, maxBytes: 100, now: () => now++ });
    await s.add(1, file('a.csv'));
    await s.add(2, file('a.csv'));
    await s.add(1, file('b.csv')); // chat 1 is now the most recent
    await s.add(3, file('a.csv'));
    expect([(await s.files(1)).length, (await s.files(2)).length, (await s.files(3)).length]).toEqual([2, 0, 1]);
    await s.add(4, file('a.csv', 95));
    expect([(await s.files(1)).length, (await s.files(3)).length, (await s.files(4)).length]).toEqual([0, 0, 1]);
  });

  it('is shared by every process on the store: files sent to two replicas make one upload, started once', async () => {
    const shared = state();
    const a = new UploadStaging(shared, { ttlMs: 60_000 });
    const b = new UploadStaging(shared, { ttlMs: 60_000 });
    await a.add(7, file('a.csv'));
    await b.add(7, file('b.csv'));
    expect((await a.files(7)).map((f) => f.role)).toEqual(['a.csv', 'b.csv']);
    expect(await Promise.all([a.clear(7), b.clear(7)])).toEqual([true, false]);
    expect(await b.files(7)).toEqual([]);
  });
});
