import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { quantileInPlace, quantileSorted, revenueOutlierThreshold } from '../../src/data/csv/clean.ts';
import { NewlineNormalizer, firstInvalidUtf8, sniffEncoding } from '../../src/data/csv/decode.ts';
import { DecimalStats, parseNumber, whyNotNumber } from '../../src/data/csv/numbers.ts';
import { ProblemLog } from '../../src/data/csv/problems.ts';
import { detectSeparator, readCsv } from '../../src/data/csv/reader.ts';
import { headerKey, roleOfFileName } from '../../src/data/csv/schema.ts';

describe('parseNumber', () => {
  it.each([
    ['5', 5],
    ['4.16', 4.16],
    ['4,16', 4.16],
    ['-3.5', -3.5],
    [' 12 ', 12],
    ['1 234,5', 1234.5],
    ['1\u00a0234', 1234],
    ['0.0', 0],
    ['.5', 0.5],
    ['1e3', 1000],
  ])('%j → %d', (raw, value) => expect(parseNumber(raw)).toBe(value));

  it.each(['', '  ', 'NaN', 'nan', 'abc', '1,2.3', '1,2,3', '0x1F', 'Infinity', '-', '1 2 3 x', '5%'])('%j → NaN', (raw) => {
    expect(parseNumber(raw)).toBeNaN();
  });

  it('explains failures and tallies decimal marks', () => {
    expect([whyNotNumber(' '), whyNotNumber('NaN'), whyNotNumber('x')]).toEqual(['empty', 'nan', 'bad']);
    const d = new DecimalStats();
    for (const v of ['1,5', '2,25', '3']) parseNumber(v, d);
    expect(d.style).toBe('comma');
    parseNumber('1.5', d);
    expect(d.style).toBe('mixed');
    expect(new DecimalStats().style).toBe('none');
  });

  it('computes plain decimals exactly as Number() reads them, with a point or a comma', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const digits = (n: number) => Array.from({ length: n }, () => rand(10)).join('');
    for (let i = 0; i < 20000; i++) {
      const int = digits(1 + rand(9));
      const frac = digits(rand(8));
      const text = `${rand(3) === 0 ? '-' : ''}${int}${frac || rand(2) ? '.' + frac : ''}`;
      expect(parseNumber(text)).toBe(Number(text));
      expect(parseNumber(text.replace('.', ','))).toBe(Number(text));
    }
    for (const text of ['0.1', '0.3', '5228.1', '4.35', '123456789012.345', '1234567890123456', '12345678901234567890.5', '9007199254740993', '-0', '-0.0', '00012.50', '5.', '-.5'])
      expect(parseNumber(text)).toBe(Number(text));
  });
});

describe('encoding sniffing', () => {
  const ru = 'id,Период,Выручка\r\n215348,текущий_месяц,3293.1\r\n';
  it('tells UTF-8, UTF-8 with BOM, Windows-1251, UTF-16 and binary apart', () => {
    expect(sniffEncoding(Buffer.from(ru), true)).toMatchObject({ kind: 'text', encoding: 'utf-8' });
    expect(sniffEncoding(Buffer.from('\uFEFF' + ru), true)).toMatchObject({ encoding: 'utf-8-bom' });
    expect(sniffEncoding(iconv.encode(ru, 'win1251'), true)).toMatchObject({ encoding: 'windows-1251' });
    expect(sniffEncoding(iconv.encode(ru, 'utf-16le'), true)).toMatchObject({ encoding: 'utf-16le' });
    expect(sniffEncoding(iconv.encode(ru, 'utf-16be'), true)).toMatchObject({ encoding: 'utf-16be' });
    expect(sniffEncoding(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01, 0x02, 0x03, 0x10, 0x11]), true)).toEqual({ kind: 'binary' });
  });

  it('does not blame a multi-byte character cut at the end of the sample', () => {
    const cut = Buffer.from('Выручка').subarray(0, 3); // «В» and half of «ы»
    expect(sniffEncoding(cut, false)).toMatchObject({ encoding: 'utf-8' });
    expect(sniffEncoding(cut, true)).toMatchObject({ encoding: 'windows-1251' });
  });

  it('finds the first invalid UTF-8 byte', () => {
    expect(firstInvalidUtf8(Buffer.from('ab'))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xff, 0x61]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.concat([Buffer.from('Вы'), Buffer.from([0xd0, 0x41])]))).toBe(4);
    expect(firstInvalidUtf8(Buffer.from([0xbb, 0x61, 0xc0]))).toBe(2); // leading continuation belongs to the previous piece
  });
});

describe('line ends across chunk boundaries', () => {
  it('joins a CR at the end of one chunk with the LF starting the next', () => {
    const n = new NewlineNormalizer();
    const out = [n.push('a,b\r'), n.push('\nc,d\r'), n.push('e\n'), n.push('', true)];
    expect(out.map((o) => (o.crlf ? o.text.replace(/\r\n/g, '\n') : o.text)).join('')).toBe('a,b\nc,d\ne\n');
    expect(n.lineEnding).toBe('mixed');
  });

  it('leaves a pure CR LF chunk untouched and says so', () => {
    const n = new NewlineNormalizer();
    expect(n.push('a\r\nb\r\n')).toEqual({ text: 'a\r\nb\r\n', crlf: true });
    expect(n.lineEnding).toBe('CRLF');
  });
});

describe('readCsv streaming', () => {
  /** A CSV beyond the 64 KiB sniff window, with quotes, Cyrillic and mixed line ends. */
  function bigCsv(): string {
    const eols = ['\r\n', '\n', '\r\n', '\r'];
    const rows = ['id;Имя;Значение'];
    for (let i = 0; i < 2300; i++) rows.push(i % 97 === 0 ? `${i};"Многострочное\r\nимя; ""${i}"""; ${i},5` : `${i};Иван Иванович №${i};${i},5`);
    return rows.map((r, i) => r + eols[i % eols.length]).join('');
  }

  async function parse(bytes: Buffer, chunkSize: number) {
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    }
    const rows: [number, string[]][] = [];
    let header: string[] = [];
    const problems = new ProblemLog();
    const res = await readCsv('x.csv', chunks(), { header: (h) => ((header = h), true), row: (r, line) => rows.push([line, r]) }, problems);
    return { rows, header, res, problems: problems.list() };
  }

  it('gives the same rows and line numbers whatever the chunk size (1 byte … 1 MiB), in UTF-8 and Windows-1251', async () => {
    const text = bigCsv();
    for (const bytes of [Buffer.from(text), iconv.encode(text, 'win1251')]) {
      expect(bytes.length).toBeGreaterThan(64 * 1024); // streaming starts after the sniffed sample
      const whole = await parse(bytes, 1 << 20);
      expect(whole.problems).toEqual([]);
      expect(whole.header).toEqual(['id', 'Имя', 'Значение']);
      expect(whole.rows).toHaveLength(2300);
      expect(whole.rows[1]).toEqual([4, ['1', 'Иван Иванович №1', '1,5']]);
      // Row 0 spans two lines, so every later row sits one line further down.
      expect(whole.rows[97][0]).toBe(97 + 3);
      expect(whole.rows[0][1][1]).toBe('Многострочное\nимя; "0"');
      for (const size of [1, 7, 4096]) {
        const chunked = await parse(bytes, size);
        expect(chunked.rows).toEqual(whole.rows);
        expect(chunked.res.format).toEqual(whole.res.format);
      }
    }
  });

  it('detects the separator from the header, ignoring quoted separators', () => {
    expect(detectSeparator('id;Прибыль')).toBe(';');
    expect(detectSeparator('id,Период,Выручка')).toBe(',');
    expect(detectSeparator('id\tПериод\tВыручка')).toBe('\t');
    expect(detectSeparator('"a;b;c",d,e')).toBe(',');
    expect(detectSeparator('id')).toBe(',');
  });
});

describe('names', () => {
  it('matches headers by a tolerant key', () => {
    expect(headerKey('  Тип  сервиса ')).toBe(headerKey('тип_сервиса'));
    expect(headerKey('\uFEFFID')).toBe('id');
  });

  it('matches file names to roles tolerantly', () => {
    expect(roleOfFileName('Market_File.CSV')).toBe('market_file');
    expect(roleOfFileName('market_money (1).csv')).toBe('market_money');
    expect(roleOfFileName('data/one-click/money.csv')).toBe('money');
    expect(roleOfFileName('money.txt')).toBe('money');
    expect(roleOfFileName('market_money_old.csv')).toBeNull();
    expect(roleOfFileName('readme.md')).toBeNull();
  });
});

describe('outlier rule', () => {
  it('quickselect quantiles equal sorted quantiles', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const n of [1, 2, 5, 100, 1001]) {
      const a = Float64Array.from({ length: n }, () => Math.round(rand() * 50));
      const sorted = a.slice().sort();
      for (const q of [0, 0.25, 0.5, 0.75, 1]) expect(quantileInPlace(a.slice(), q)).toBeCloseTo(quantileSorted(sorted, q), 10);
    }
  });

  it('is Q3 + 10·IQR, and is skipped for tiny or flat sets', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => 1000 + i); // Q1 1024.75, Q3 1074.25
    expect(revenueOutlierThreshold(values, 40)).toBeCloseTo(1074.25 + 10 * 49.5, 6);
    expect(revenueOutlierThreshold(values, 19)).toBe(Infinity);
    expect(revenueOutlierThreshold(new Float64Array(90).fill(5), 30)).toBe(Infinity);
  });
});
