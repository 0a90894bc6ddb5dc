import { describe, expect, it } from 'vitest';
import { escapeCell, toCsv } from '../../src/features/csv.ts';

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
