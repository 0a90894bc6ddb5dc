import { describe, expect, it } from 'vitest';
import { decodeCallback, encodeCallback } from '../../src/bot/callbackData.ts';
import { MAX_CALLBACK_BYTES } from '../../src/bot/limits.ts';
import type { CallbackData } from '../../src/core/reply.ts';
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

  it('round-trips plan pages and every outreach status from a list page or a /risk card, within 64 bytes', () => {
    const all: CallbackData[] = [
      { kind: 'plan', week: '2026-W48', page: 6 },
      ...(['offered', 'no_answer', 'declined'] as const).flatMap((status) =>
        [3, null].map((page): CallbackData => ({ kind: 'outreach', week: '2026-W01', id: Number.MAX_SAFE_INTEGER, status, page })),
      ),
    ];
    for (const d of all) {
      const raw = encodeCallback(d);
      expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(MAX_CALLBACK_BYTES);
      expect(decodeCallback(raw)).toEqual(d);
    }
    expect(encodeCallback({ kind: 'outreach', week: '2026-W48', id: 215349, status: 'offered', page: null })).toBe('o:2026-W48:215349:o:-');
  });

  it('refuses outreach data that is malformed rather than recording a wrong call', () => {
    for (const raw of ['o:2026-W48:215349:x:1', 'o:2026-48:215349:o:1', 'o:2026-W48:abc:o:1', 'o:2026-W48:215349:o:0', 'p:2026-W48:0', 'p:2026-W48:']) {
      expect(decodeCallback(raw)).toBeNull();
    }
  });

  it('rejects oversized or foreign data instead of guessing', () => {
    expect(() => encodeCallback({ kind: 'segment', code: 'я'.repeat(40) })).toThrow(/64 bytes/);
    expect(decodeCallback('x:1')).toBeNull();
    expect(decodeCallback('r:abc')).toBeNull();
    expect(decodeCallback('')).toBeNull();
  });
});
