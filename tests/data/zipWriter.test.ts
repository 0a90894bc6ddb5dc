/** The ZIP the .xlsx export is packed in: every entry comes back byte for byte, names in UTF-8, CRCs right. */
import { unzipSync } from 'fflate';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zipFiles } from '../../src/data/export/zipWriter.ts';

describe('zipFiles', () => {
  it('packs entries another ZIP reader opens unchanged, with the CRC of each in its header', () => {
    const big = Buffer.from(Array.from({ length: 50_000 }, (_, i) => `<row r="${i}"/>`).join(''));
    const entries = [
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/worksheets/лист.xml', data: big, level: 1 },
      { name: 'empty', data: new Uint8Array(0) },
    ];
    const zip = zipFiles(entries, new Date(2026, 11, 1, 14, 30, 10));
    const back = unzipSync(zip);
    expect(Object.keys(back)).toEqual(entries.map((e) => e.name));
    for (const e of entries) expect(Buffer.from(back[e.name]).equals(Buffer.from(e.data))).toBe(true);
    expect(zip.length).toBeLessThan(big.length / 5);
    // Local header of the second entry: CRC at 14, the DOS time at 10 (14:30:10 → 14<<11 | 30<<5 | 5).
    const second = zip.indexOf(Buffer.from('xl/worksheets/лист.xml')) - 30;
    expect(zip.readUInt32LE(second)).toBe(0x04034b50);
    expect(zip.readUInt32LE(second + 14)).toBe(crc32(big));
    expect(zip.readUInt16LE(second + 10)).toBe((14 << 11) | (30 << 5) | 5);
  });
});
