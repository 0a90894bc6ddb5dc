import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { DATA_ERRORS } from '../../src/messages.ts';
import { ProblemLog } from '../../src/data/csv/problems.ts';
import { readCsv, splitQuoteless, type CsvSink, type Separator } from '../../src/data/csv/reader.ts';
import { CsvRecord } from '../../src/data/csv/record.ts';
import { checkFieldCount } from '../../src/data/csv/sinks.ts';

/**
 * Chunks without a quote character are split by splitQuoteless, not papaparse: these tests hold
 * it to papaparse's rows and to exact line numbers wherever a chunk boundary falls.
 */
describe('splitQuoteless', () => {
  const papa = (input: string, newline: '\n' | '\r\n', separator: Separator, final: boolean) => {
    const res = new Papa.Parser({ delimiter: separator, newline, quoteChar: '"' }).parse(input, 0, !final) as Papa.ParseResult<string[]>;
    return { rows: res.data, rest: final ? '' : input.slice(res.meta.cursor) };
  };
  const ours = (input: string, newline: '\n' | '\r\n', separator: Separator, final: boolean) => {
    const rec = new CsvRecord();
    const rows: string[][] = [];
    const rest = splitQuoteless(input, newline, separator, final, rec, () => rows.push(rec.fields()));
    return { rows, rest };
  };

  it('gives the rows and the kept-back text papaparse gives, on random quoteless text', () => {
    let seed = 3;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const alphabet = ['a', 'Я', '1', ',', ';', '\t', ' ', '\n', '\r', '\r\n', '\r\n', ''];
    for (let k = 0; k < 3000; k++) {
      const input = Array.from({ length: rand(40) }, () => alphabet[rand(alphabet.length)]).join('');
      for (const newline of ['\n', '\r\n'] as const)
        for (const separator of [',', ';', '\t'] as const)
          for (const final of [false, true]) expect(ours(input, newline, separator, final), JSON.stringify({ input, newline, separator, final })).toEqual(papa(input, newline, separator, final));
    }
  });

  it('keeps a row cut by the chunk end back whole, and an empty last field', () => {
    expect(ours('1;2,5\r\n3;4,', '\r\n', ';', false)).toEqual({ rows: [['1', '2,5']], rest: '3;4,' });
    expect(ours('1;\r\n', '\r\n', ';', true)).toEqual({ rows: [['1', ''], ['']], rest: '' });
  });
});

describe('readCsv fast path', () => {
  /**
   * A money.csv-like file well past the 64 KiB sniff window: `;` and decimal commas, CR LF,
   * blank and whitespace-only lines, a row with a trailing empty field, one with an extra field,
   * then a quoted row (a separator and a doubled quote inside) after hundreds of quoteless
   * chunks, more quoteless rows, and an unclosed quote on the last line.
   */
  function moneyLike() {
    const lines = ['id;Прибыль;Имя'];
    const rows: [number, string[]][] = [];
    const problems: { line: number; message: string }[] = [];
    for (let i = 1; i <= 12000; i++) {
      const line = lines.length + 1;
      if (i % 500 === 0) lines.push('');
      else if (i % 700 === 0) lines.push('  ;\t; ');
      else if (i === 2501) {
        lines.push(`${i};1,5;Лишнее;поле`);
        problems.push({ line, message: DATA_ERRORS.fieldCount(3, 4) });
      } else if (i === 4001) {
        lines.push(`${i};7,25;"Имя; ""в кавычках"""`);
        rows.push([line, [`${i}`, '7,25', 'Имя; "в кавычках"']]);
      } else if (i === 4101) {
        lines.push(`${i};0,5;Пусто;`);
        rows.push([line, [`${i}`, '0,5', 'Пусто']]);
      } else {
        lines.push(`${i};${i % 10},${i % 100};Клиент №${i}`);
        rows.push([line, [`${i}`, `${i % 10},${i % 100}`, `Клиент №${i}`]]);
      }
    }
    problems.push({ line: lines.length + 1, message: DATA_ERRORS.unclosedQuote });
    lines.push('12001;1,0;"не закрыта');
    return { text: lines.join('\r\n') + '\r\n', rows, problems };
  }

  async function read(bytes: Buffer, chunkSize: number, inPlace: boolean) {
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    }
    const rows: [number, string[]][] = [];
    const sink: CsvSink = inPlace
      ? { header: () => true, record: (r, line) => rows.push([line, r.fields()]) }
      : { header: () => true, row: (r, line) => rows.push([line, r]) };
    const problems = new ProblemLog();
    const res = await readCsv('money.csv', chunks(), checkFieldCount(sink, 'money.csv', problems), problems);
    return { rows, res, problems: problems.list().map(({ line, message }) => ({ line, message })) };
  }

  it('delivers every row at its exact line, and reports problems at theirs, wherever the chunks end', async () => {
    const expected = moneyLike();
    for (const bytes of [Buffer.from(expected.text), iconv.encode(expected.text, 'win1251')]) {
      expect(bytes.length).toBeGreaterThan(2 * 64 * 1024);
      for (const size of [1, 7, 4093, 1 << 20])
        for (const inPlace of [false, true]) {
          const got = await read(bytes, size, inPlace);
          expect(got.rows).toEqual(expected.rows);
          expect(got.problems).toEqual(expected.problems);
          // The refused rows count as data rows too.
          expect(got.res).toMatchObject({ dataRows: expected.rows.length + 2, format: { separator: ';', lineEnding: 'CRLF' } });
        }
    }
  });

  it('counts lines the same with LF, CR and mixed line ends', async () => {
    const expected = moneyLike();
    for (const eol of ['\n', '\r', '\r\n\n']) {
      const text = expected.text.replace(/\r\n/g, (_, at: number) => (eol === '\r\n\n' ? ((at / 7) & 1 ? '\r\n' : '\n') : eol));
      const got = await read(Buffer.from(text), 4093, true);
      expect(got.rows).toEqual(expected.rows);
      expect(got.problems).toEqual(expected.problems);
    }
  });
});

describe('CsvRecord', () => {
  it('holds papaparse\'s strings and tells blank fields as String.prototype.trim does', () => {
    const rec = new CsvRecord();
    const fields = ['', ' ', '\u00a0', '\ufeff\u2028', ' x ', 'a;b', '"', '\u3000', '\u0085'];
    rec.setFields(fields);
    expect(rec.length).toBe(fields.length);
    expect(rec.fields()).toEqual(fields);
    expect(fields.map((_, i) => rec.isBlank(i))).toEqual(fields.map((f) => f.trim() === ''));
    rec.setFields(Array.from({ length: 100 }, (_, i) => `${i}`));
    expect(rec.field(99)).toBe('99');
  });
});
