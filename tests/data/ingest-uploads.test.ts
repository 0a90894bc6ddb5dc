import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readDatasetFiles } from '../../src/data/index.ts';
import { FILES, REAL_DIR, problemsOf } from './helpers.ts';

const real = Object.fromEntries(FILES.map((f) => [f, readFileSync(path.join(REAL_DIR, f))])) as Record<(typeof FILES)[number], Buffer>;

describe('readDatasetFiles (Telegram uploads)', () => {
  it('reads the four files from memory, whatever their names’ case and «(1)» suffixes', async () => {
    const ds = await readDatasetFiles({
      'Market_File.csv': real['market_file.csv'],
      'market_money (1).csv': real['market_money.csv'],
      'MARKET_TIME.CSV': real['market_time.csv'],
      'money.csv': real['money.csv'],
      'notes.txt': Buffer.from('not a data file'),
    });
    expect(ds.customers).toHaveLength(1296);
    expect(ds.customers.filter((c) => c.label === 1)).toHaveLength(494);
  });

  it('uses the uploaded names in problems', async () => {
    const ps = await problemsOf(() =>
      readDatasetFiles({ 'Market_File.csv': Buffer.from('id\r\n1\r\n'), 'market_money.csv': real['market_money.csv'] }),
    );
    const where = ps.map((p) => `${p.file}:${p.line}`);
    expect(where[0]).toBe('Market_File.csv:1');
    expect(ps[0].message).toBe('нет столбца «Тип сервиса»');
    expect(where.slice(-2)).toEqual(['market_time.csv:0', 'money.csv:0']);
    expect(new Set(ps.map((p) => p.file))).toEqual(new Set(['Market_File.csv', 'market_time.csv', 'money.csv']));
  });

  it('reads a ZIP holding the files in a nested folder, ignoring extra files and macOS metadata', async () => {
    const zip = zipSync({
      'выгрузка/one-click/market_file.csv': real['market_file.csv'],
      'выгрузка/one-click/market_money.csv': real['market_money.csv'],
      'выгрузка/one-click/market_time.csv': real['market_time.csv'],
      'выгрузка/one-click/money.csv': real['money.csv'],
      'выгрузка/README.md': Buffer.from('# notes'),
      '__MACOSX/выгрузка/one-click/._market_file.csv': randomBytes(100),
      'выгрузка/.DS_Store': randomBytes(100),
    });
    const ds = await readDatasetFiles({ 'one-click.zip': Buffer.from(zip) });
    expect(ds.customersIn).toBe(1300);
    expect(ds.customers).toHaveLength(1296);
  });

  it('recognises a ZIP by its signature even without the .zip name', async () => {
    const zip = zipSync(Object.fromEntries(FILES.map((f) => [f, real[f]])));
    const ds = await readDatasetFiles({ 'document': Buffer.from(zip) });
    expect(ds.customers).toHaveLength(1296);
  });

  it('refuses binary garbage sent as a ZIP, with a clear problem', async () => {
    const ps = await problemsOf(() => readDatasetFiles({ 'data.zip': randomBytes(4096) }));
    expect(ps[0]).toEqual({ file: 'data.zip', line: 0, message: 'не удалось распаковать архив: файл повреждён или это не ZIP' });
    // …and the four files are then reported missing.
    expect(ps.slice(1).map((p) => p.file)).toEqual([...FILES]);
  });

  it('refuses a corrupt ZIP that starts with a valid signature', async () => {
    const zip = Buffer.from(zipSync({ 'market_file.csv': real['market_file.csv'] }));
    const broken = Buffer.concat([zip.subarray(0, 40), randomBytes(200)]);
    const ps = await problemsOf(() => readDatasetFiles({ 'x.zip': broken }));
    expect(ps[0]).toMatchObject({ file: 'x.zip', line: 0 });
  });

  it('refuses binary garbage named like a data file', async () => {
    const ps = await problemsOf(() =>
      readDatasetFiles({ ...real, 'market_money.csv': randomBytes(10_000) }),
    );
    expect(ps).toEqual([{ file: 'market_money.csv', line: 0, message: 'файл не похож на текстовый CSV (внутри двоичные данные)' }]);
  });

  it('reports a role given twice (two folders in one archive)', async () => {
    const zip = zipSync({
      'a/market_file.csv': real['market_file.csv'],
      'b/market_file.csv': real['market_file.csv'],
      'a/market_money.csv': real['market_money.csv'],
      'a/market_time.csv': real['market_time.csv'],
      'a/money.csv': real['money.csv'],
    });
    const ps = await problemsOf(() => readDatasetFiles({ 'x.zip': Buffer.from(zip) }));
    expect(ps).toEqual([{ file: 'market_file.csv', line: 0, message: expect.stringMatching(/передан дважды/) }]);
  });
});
