import { describe, expect, it } from 'vitest';
import { decodeCallback, encodeCallback } from '../../src/bot/callbackData.ts';
import { MAX_CALLBACK_BYTES } from '../../src/bot/limits.ts';
import { SEGMENT_CODES } from '../../src/core/segments.ts';

describe('callback data', () => {
  it('round-trips every segment and fits the 64-byte limit', () => {
    for (const code of SEGMENT_CODES) {
      for (const kind of ['segment', 'export'] as const) {
        const raw = encodeCallback({ kind, code });
        expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(MAX_CALLBACK_BYTES);
        expect(decodeCallback(raw)).toEqual({ kind, code });
      }
    }
    expect(decodeCallback(encodeCallback({ kind: 'risk', id: 215349 }))).toEqual({ kind: 'risk', id: 215349 });
  });

  it('rejects oversized or foreign data instead of guessing', () => {
    expect(() => encodeCallback({ kind: 'segment', code: 'я'.repeat(40) })).toThrow(/64 bytes/);
    expect(decodeCallback('x:1')).toBeNull();
    expect(decodeCallback('r:abc')).toBeNull();
    expect(decodeCallback('')).toBeNull();
  });
});
