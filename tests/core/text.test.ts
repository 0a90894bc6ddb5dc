import { describe, expect, it } from 'vitest';
import { shorten } from '../../src/core/text.ts';
import { CHAT } from '../../src/messages.ts';

const isWellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe('shorten', () => {
  it('never cuts inside a surrogate pair, at any limit', () => {
    const text = 'клиент 😀😀😀 в зоне 🔴 риска 👨‍👩‍👧';
    for (let max = 1; max <= text.length + 1; max++) {
      const cut = shorten(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(isWellFormed(cut)).toBe(true);
    }
  });

  it('keeps short text as it is and marks a cut', () => {
    expect(shorten('abc', 3)).toBe('abc');
    expect(shorten('abcdef', 4)).toBe('abc…');
  });

  it('user text quoted back is cut safely: an emoji across the 40th unit stays whole or goes', () => {
    const input = `${'я'.repeat(39)}😀 хвост`;
    const answer = CHAT.badRiskId(input, null);
    expect(isWellFormed(answer)).toBe(true);
    expect(answer).not.toContain('хвост');
  });
});
