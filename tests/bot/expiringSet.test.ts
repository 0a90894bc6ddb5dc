import { describe, expect, it } from 'vitest';
import { ExpiringSet } from '../../src/bot/expiringSet.ts';

describe('ExpiringSet (refused chats)', () => {
  it('remembers a key until it expires', () => {
    let t = 0;
    const s = new ExpiringSet<number>(10, 1000, () => t);
    expect(s.add(1)).toBe(true);
    expect(s.add(1)).toBe(false);
    t = 999;
    expect(s.add(1)).toBe(false);
    t = 1000;
    expect(s.add(1)).toBe(true);
  });

  it('stays bounded however many strangers write: the oldest are forgotten first', () => {
    const t = 0;
    const s = new ExpiringSet<number>(100, 60_000, () => t);
    for (let i = 0; i < 10_000; i++) s.add(i);
    expect(s.size).toBe(100);
    expect(s.add(9_999)).toBe(false);
    expect(s.add(0)).toBe(true);
  });
});
