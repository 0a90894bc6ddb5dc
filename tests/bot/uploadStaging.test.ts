import { describe, expect, it } from 'vitest';
import { UploadStaging } from '../../src/bot/uploadStaging.ts';

const file = (role: string, size = 10, fileName = role) => ({ role, fileName, bytes: Buffer.alloc(size) });
const ROLES = ['a.csv', 'b.csv', 'c.csv'];

describe('UploadStaging', () => {
  it('a file with the same role replaces the staged one; missing lists the rest in order', () => {
    const s = new UploadStaging({ ttlMs: 1000 });
    s.add(1, file('b.csv', 1, 'b (1).csv'));
    s.add(1, file('b.csv', 2, 'b.csv'));
    expect(s.files(1).map((f) => [f.fileName, f.bytes.length])).toEqual([['b.csv', 2]]);
    expect(s.missing(1, ROLES)).toEqual(['a.csv', 'c.csv']);
    expect(s.files(2)).toEqual([]);
  });

  it('forgets a chat after ttl without a new file, and says so on the next one', () => {
    let now = 0;
    const s = new UploadStaging({ ttlMs: 1000, now: () => now });
    expect(s.add(1, file('a.csv')).expired).toBe(false);
    now = 1000;
    expect(s.add(1, file('b.csv')).expired).toBe(false); // each file restarts the wait
    now = 2001;
    expect(s.files(1)).toEqual([]);
    expect(s.add(1, file('c.csv')).expired).toBe(false); // already dropped by the read above
    now = 3002;
    expect(s.add(1, file('a.csv')).expired).toBe(true);
    expect(s.files(1).map((f) => f.role)).toEqual(['a.csv']);
  });

  it('stays bounded: the least recently touched chats go first, never the one being added to', () => {
    let now = 0;
    const s = new UploadStaging({ ttlMs: 60_000, maxChats: 2, maxBytes: 100, now: () => now++ });
    s.add(1, file('a.csv'));
    s.add(2, file('a.csv'));
    s.add(1, file('b.csv')); // chat 1 is now the most recent
    s.add(3, file('a.csv'));
    expect([s.files(1).length, s.files(2).length, s.files(3).length]).toEqual([2, 0, 1]);
    s.add(4, file('a.csv', 95));
    expect(s.size).toBe(1);
    expect(s.files(4)).toHaveLength(1);
  });
});
