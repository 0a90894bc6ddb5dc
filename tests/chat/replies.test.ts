import { describe, expect, it } from 'vitest';
import { decodeCallback, encodeCallback, MAX_CALLBACK_BYTES } from '../../src/chat/replies.ts';
import { escapeCell, toCsv } from '../../src/chat/csv.ts';
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

describe('CSV export', () => {
  it('neutralises cells that Excel would run as formulas', () => {
    expect(escapeCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const s of ['+1', '-cmd', '@SUM(A1)']) expect(escapeCell(s)).toBe(`'${s}`);
    expect(escapeCell(-5)).toBe('-5');
    expect(escapeCell('Товары для детей')).toBe('Товары для детей');
  });

  it('starts with a BOM and quotes separators', () => {
    const csv = toCsv(['id', 'note'], [[1, 'a,b']]).toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1)).toBe('id,note\r\n1,"a,b"\r\n');
    expect(toCsv(['id'], [[1]], { bom: false }).toString('utf8')).toBe('id\r\n1\r\n');
  });
});
