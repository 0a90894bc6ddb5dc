import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDatasetDir, readDatasetFiles, type IngestResult } from '../../src/data/index.ts';
import { DEMO_DIR, FILES, problemsOf } from './helpers.ts';

const demo = Object.fromEntries(FILES.map((f) => [f, readFileSync(path.join(DEMO_DIR, f))])) as Record<(typeof FILES)[number], Buffer>;
/** The same files read from their directory: what every way of uploading them must give. */
let fromDir: IngestResult;
beforeAll(async () => {
  fromDir = await readDatasetDir(DEMO_DIR);
});

describe('readDatasetFiles (Telegram uploads)', () => {
  it('reads the four files from memory, whatever their names’ case and «(1)» suffixes', async () => {
    const ds = await readDatasetFiles({
      'Market_File.csv': demo['market_file.csv'],
      'market_money (1).csv': demo['market_money.csv'],
      'MARKET_TIME.CSV': demo['market_time.csv'],
      'money.csv': demo['money.csv'],
      'notes.txt': Buffer.from('not a data file'),
    });
    expect(ds.customers).toEqual(fromDir.customers);
    expect(ds.customers.some((c) => c.label === 1)).toBe(true);
  });

  it('uses the uploaded names in problems', async () => {
    const ps = await problemsOf(() =>
      readDatasetFiles({ 'Market_File.csv': Buffer.from('id\r\n1\r\n'), 'market_money.csv': demo['market_money.csv'] }),
    );
    const where = ps.map((p) => `${p.file}:${p.line}`);
    expect(where[0]).toBe('Market_File.csv:1');
    expect(ps[0].message).toBe('нет столбца «Тип сервиса»');
    expect(where.slice(-2)).toEqual(['market_time.csv:0', 'money.csv:0']);
    expect(new Set(ps.map((p) => p.file))).toEqual(new Set(['Market_File.csv', 'market_time.csv', 'money.csv']));
  });

  it('reads a ZIP holding the files in a nested folder, ignoring extra files and macOS metadata', async () => {
    const zip = zipSync({
      'выгрузка/one-click/market_file.csv': demo['market_file.csv'],
      'выгрузка/one-click/market_money.csv': demo['market_money.csv'],
      'выгрузка/one-click/market_time.csv': demo['market_time.csv'],
      'выгрузка/one-click/money.csv': demo['money.csv'],
      'выгрузка/README.md': Buffer.from('# notes'),
      '__MACOSX/выгрузка/one-click/._market_file.csv': randomBytes(100),
      'выгрузка/.DS_Store': randomBytes(100),
    });
    const ds = await readDatasetFiles({ 'one-click.zip': Buffer.from(zip) });
    expect(ds.customersIn).toBe(fromDir.customersIn);
    expect(ds.customers).toEqual(fromDir.customers);
  });

  it('recognises a ZIP by its signature even without the .zip name', async () => {
    const zip = zipSync(Object.fromEntries(FILES.map((f) => [f, demo[f]])));
    const ds = await readDatasetFiles({ 'document': Buffer.from(zip) });
    expect(ds.customers).toEqual(fromDir.customers);
  });

  it('refuses binary garbage sent as a ZIP, with a clear problem', async () => {
    const ps = await problemsOf(() => readDatasetFiles({ 'data.zip': randomBytes(4096) }));
    expect(ps[0]).toEqual({ file: 'data.zip', line: 0, message: 'не удалось распаковать архив: файл повреждён или это не ZIP' });
    // …and the four files are then reported missing.
    expect(ps.slice(1).map((p) => p.file)).toEqual([...FILES]);
  });

  it('refuses a corrupt ZIP that starts with a valid signature', async () => {
    const zip = Buffer.from(zipSync({ 'market_file.csv': demo['market_file.csv'] }));
    const broken = Buffer.concat([zip.subarray(0, 40), randomBytes(200)]);
    const ps = await problemsOf(() => readDatasetFiles({ 'x.zip': broken }));
    expect(ps[0]).toMatchObject({ file: 'x.zip', line: 0 });
  });

  it('refuses binary garbage named like a data file', async () => {
    const ps = await problemsOf(() =>
      readDatasetFiles({ ...demo, 'market_money.csv': randomBytes(10_000) }),
    );
    expect(ps).toEqual([{ file: 'market_money.csv', line: 0, message: 'файл не похож на текстовый CSV (внутри двоичные данные)' }]);
  });

  it('reports a role given twice (two folders in one archive)', async () => {
    const zip = zipSync({
      'a/market_file.csv': demo['market_file.csv'],
      'b/market_file.csv': demo['market_file.csv'],
      'a/market_money.csv': demo['market_money.csv'],
      'a/market_time.csv': demo['market_time.csv'],
      'a/money.csv': demo['money.csv'],
    });
    const ps = await problemsOf(() => readDatasetFiles({ 'x.zip': Buffer.from(zip) }));
    expect(ps).toEqual([{ file: 'market_file.csv', line: 0, message: expect.stringMatching(/передан дважды/) }]);
  });
});
