import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../src/core/domain.ts';
import { readDatasetDir, type IngestResult } from '../../src/data/index.ts';
import { FILES, cleanupTmp, dataLines, idAt, writeSet, type FileName } from './helpers.ts';

/**
 * The first `k` customers of the demo set, plus those with a zero-revenue month (planted far apart),
 * so every format variant also meets the rows cleaning drops; all four files, lines without line ends.
 */
function subset(k: number): Record<FileName, string[]> {
  const zeroRevenue = new Set(
    dataLines('market_money.csv')
      .slice(1)
      .filter((l) => Number(l.split(',')[2]) === 0)
      .map((l) => l.split(',')[0]),
  );
  const market = dataLines('market_file.csv').filter((l, i) => i <= k || zeroRevenue.has(l.split(',')[0]));
  const ids = new Set(market.slice(1).map((l) => l.split(',')[0]));
  const keep = (file: FileName, sep: string) => {
    const [head, ...rows] = dataLines(file);
    return [head, ...rows.filter((l) => ids.has(l.split(sep)[0]))];
  };
  return {
    'market_file.csv': market,
    'market_money.csv': keep('market_money.csv', ','),
    'market_time.csv': keep('market_time.csv', ','),
    'money.csv': keep('money.csv', ';'),
  };
}

const K = 40;
const base = subset(K);
let expected: IngestResult;

const text = (lines: string[], eol = '\r\n') => lines.join(eol) + eol;
const mapFiles = (f: (lines: string[], file: FileName) => string | Buffer | string[]) =>
  Object.fromEntries(FILES.map((file) => [file, f(base[file], file)]));

/** Re-separates an unquoted CSV line and turns decimal points into commas when asked. */
const resep = (line: string, from: string, to: string, decimalComma: boolean) =>
  line
    .split(from)
    .map((v) => (decimalComma ? v.replace(/^(-?\d+)\.(\d+)$/, '$1,$2') : v.replace(/^(-?\d+),(\d+)$/, '$1.$2')))
    .join(to);

/** Reads the subset with some files replaced. */
async function read(files: Record<string, string | Buffer | string[]>): Promise<IngestResult> {
  return readDatasetDir(writeSet({ ...base, ...files }));
}

const byId = (cs: Customer[]) => new Map(cs.map((c) => [c.id, c]));

beforeAll(async () => {
  expected = await read(base);
  // Sanity: the subset keeps the real export's quirks, zero-revenue customers and a revenue outlier.
  expect(expected.customersIn).toBe(base['market_file.csv'].length - 1);
  expect(expected.customersIn).toBeGreaterThan(K);
  expect(new Set(expected.dropped.map((d) => d.reason))).toEqual(new Set(['revenue_outlier', 'zero_revenue']));
});
afterAll(cleanupTmp);

describe('encoding detection', () => {
  it('reads Windows-1251 files (as Excel saves them) like the UTF-8 originals', async () => {
    const ds = await read(mapFiles((lines) => iconv.encode(text(lines), 'win1251')));
    expect(ds.customers).toEqual(expected.customers);
    expect(ds.formats.market_file?.encoding).toBe('windows-1251');
  });

  it('strips a UTF-8 byte order mark (so the first header still reads «id»)', async () => {
    const ds = await read(mapFiles((lines) => '\uFEFF' + text(lines)));
    expect(ds.customers).toEqual(expected.customers);
    expect(ds.formats.money?.encoding).toBe('utf-8-bom');
  });

  it('reads UTF-16 «Unicode text» with a BOM and tabs, as Excel exports it', async () => {
    const ds = await read(mapFiles((lines, f) => iconv.encode(text(lines.map((l) => resep(l, f === 'money.csv' ? ';' : ',', '\t', true))), 'utf-16le', { addBOM: true })));
    expect(ds.customers).toEqual(expected.customers);
    expect(ds.formats.market_time).toMatchObject({ encoding: 'utf-16le', separator: '\t' });
  });

  it('mixes encodings across files: each file is detected on its own', async () => {
    const ds = await read({
      'market_file.csv': iconv.encode(text(base['market_file.csv']), 'win1251'),
      'market_money.csv': '\uFEFF' + text(base['market_money.csv']),
    });
    expect(ds.customers).toEqual(expected.customers);
  });
});

describe('separator and decimal detection', () => {
  it('reads `;` with decimal commas in every file (Russian Excel)', async () => {
    const ds = await read(mapFiles((lines, f) => lines.map((l) => resep(l, f === 'money.csv' ? ';' : ',', ';', true))));
    expect(ds.customers).toEqual(expected.customers);
    expect(ds.formats.market_money).toMatchObject({ separator: ';', decimal: 'comma' });
  });

  it('reads `,` with decimal points in money.csv', async () => {
    const ds = await read({ 'money.csv': base['money.csv'].map((l) => resep(l, ';', ',', false)) });
    expect(ds.customers).toEqual(expected.customers);
    expect(ds.formats.money).toMatchObject({ separator: ',', decimal: 'point' });
  });

  it('reads tab-separated files', async () => {
    const ds = await read(mapFiles((lines, f) => lines.map((l) => resep(l, f === 'money.csv' ? ';' : ',', '\t', false))));
    expect(ds.customers).toEqual(expected.customers);
    expect(ds.formats.market_file?.separator).toBe('\t');
  });

  it('accepts a quoted decimal comma inside a comma-separated file', async () => {
    const lines = base['market_file.csv'].slice();
    const fields = lines[2].split(',');
    const value = fields[4]; // Маркет_актив_6_мес, written with a decimal point
    expect(value).toMatch(/^\d+\.\d+$/);
    fields[4] = `"${value.replace('.', ',')}"`;
    lines[2] = fields.join(',');
    const ds = await read({ 'market_file.csv': lines });
    expect(byId(ds.customers).get(idAt(lines, 3))?.marketActive6m).toBe(Number(value));
  });
});

describe('line ends', () => {
  for (const [name, eol] of [
    ['LF', '\n'],
    ['CR', '\r'],
  ] as const) {
    it(`reads ${name} files`, async () => {
      const ds = await read(mapFiles((lines) => text(lines, eol)));
      expect(ds.customers).toEqual(expected.customers);
      expect(ds.formats.market_file?.lineEnding).toBe(name);
    });
  }

  it('reads a file mixing CRLF, LF and CR, and reports it as mixed', async () => {
    const eols = ['\r\n', '\n', '\r'];
    const mixed = (lines: string[]) => lines.map((l, i) => l + eols[i % 3]).join('');
    const ds = await read(mapFiles(mixed));
    expect(ds.customers).toEqual(expected.customers);
    expect(ds.formats.market_money?.lineEnding).toBe('mixed');
  });

  it('accepts a last line without a line end', async () => {
    const ds = await read({ 'money.csv': base['money.csv'].join('\r\n') });
    expect(ds.customers).toEqual(expected.customers);
  });

  it('skips blank lines and Excel’s empty separator-only rows, keeping line numbers right', async () => {
    const lines = base['market_money.csv'].slice();
    lines.splice(3, 0, '', ',,');
    const ds = await read({ 'market_money.csv': lines });
    expect(ds.customers).toEqual(expected.customers);
  });
});

describe('quoting and headers', () => {
  it('reads quoted fields holding the separator, quotes and line breaks', async () => {
    const kids = base['market_file.csv'].findIndex((l) => l.includes(',Товары для детей,'));
    const textiles = base['market_file.csv'].findIndex((l) => l.includes(',Домашний текстиль,'));
    expect(Math.min(kids, textiles)).toBeGreaterThan(0);
    const lines = base['market_file.csv'].map((l) => l.replace('Товары для детей', '"Товары, ""для"" детей"'));
    lines[textiles] = lines[textiles].replace('Домашний текстиль', '"Домашний\r\nтекстиль"');
    const ds = await read({ 'market_file.csv': lines });
    const c = byId(ds.customers);
    expect(c.get(idAt(lines, kids + 1))?.popularCategory).toBe('Товары, "для" детей');
    // Whitespace inside a category (here a line break) is collapsed to one space.
    expect(c.get(idAt(lines, textiles + 1))?.popularCategory).toBe('Домашний текстиль');
    expect(ds.customers.length).toBe(expected.customers.length);
  });

  it('matches headers regardless of case, surrounding spaces, quotes and column order; ignores extra columns', async () => {
    const rows = base['market_file.csv'].map((l) => l.split(','));
    const order = rows[0].map((_, i) => i).reverse();
    const header = order.map((i) => rows[0][i]).map((h, j) => (j % 2 ? `  ${h.toUpperCase()} ` : `"${h.toLowerCase()}"`));
    const reordered = [
      ['Комментарий', ...header, 'лишний'].join(','),
      ...rows.slice(1).map((r) => ['что-то', ...order.map((i) => r[i]), 'x'].join(',')),
    ];
    const money = base['market_money.csv'].map((l, i) => (i === 0 ? ' ВЫРУЧКА,  период , Id' : l.split(',').reverse().join(',')));
    const ds = await read({ 'market_file.csv': reordered, 'market_money.csv': money });
    expect(ds.customers).toEqual(expected.customers);
  });

  it('treats a missing «Покупательская активность» column as unlabelled (label null) unless labels are required', async () => {
    const lines = base['market_file.csv'].map((l) => l.split(',').filter((_, i) => i !== 1).join(','));
    const ds = await read({ 'market_file.csv': lines });
    expect(ds.customers.map((c) => c.id)).toEqual(expected.customers.map((c) => c.id));
    expect(ds.customers.every((c) => c.label === null)).toBe(true);
  });
});

describe('known typos of the source system', () => {
  it('maps «стандартт» to «стандарт» and «предыдцщий_месяц» to «предыдущий_месяц»', async () => {
    const market = base['market_file.csv'].map((l) => l.replace(',стандарт,', ',стандартт,'));
    const time = base['market_time.csv'].map((l) => l.replace('предыдцщий_месяц', 'предыдущий_месяц'));
    expect(base['market_time.csv'].some((l) => l.includes('предыдцщий_месяц'))).toBe(true);
    const typos = await read({ 'market_file.csv': market });
    const spelled = await read({ 'market_time.csv': time });
    expect(typos.customers).toEqual(expected.customers);
    expect(spelled.customers).toEqual(expected.customers);
  });

  it('is tolerant to case and spaces in words: «СНИЗИЛАСЬ», « Премиум », «текущий месяц»', async () => {
    const market = base['market_file.csv'].map((l, i) => (i === 0 ? l : l.replace('Снизилась', 'СНИЗИЛАСЬ').replace('премиум', ' Премиум ')));
    const money = base['market_money.csv'].map((l) => l.replace('текущий_месяц', 'текущий месяц'));
    const ds = await read({ 'market_file.csv': market, 'market_money.csv': money });
    expect(ds.customers).toEqual(expected.customers);
  });
});
