import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { planTable, type PlanEntry, type PlanTableLabels } from '../../src/core/campaign/index.ts';
import type { Table } from '../../src/core/ports.ts';
import { spreadsheetWriter } from '../../src/data/index.ts';

const table: Table = {
  columns: [
    { header: 'id', type: 'integer' },
    { header: 'Вероятность', type: 'percent' },
    { header: 'Приоритет', type: 'number' },
    { header: 'Заметка', type: 'text' },
    { header: 'Когда', type: 'datetime' },
    { header: 'День', type: 'date' },
  ],
  rows: [
    [100001, 0.734, -1.05, '=HYPERLINK("http://evil")', new Date('2026-11-23T21:30:00Z'), new Date('2026-11-23T21:30:00Z')],
    [100002, 0.5, 1234.5, 'обычный; текст "в кавычках"', null, null],
    [100003, 1e-7, 2, '-1.05', null, null],
  ],
};

async function readBack(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

describe('xlsx writer', () => {
  it('writes typed cells: numbers as numbers, probability as percent, dates as dates in the given zone', async () => {
    const ws = await readBack(await spreadsheetWriter.xlsx(table, { sheetName: 'План: неделя 48/2026', timeZone: 'Europe/Moscow' }));
    expect(ws.name).toBe('План  неделя 48 2026');
    expect(ws.getRow(1).values).toEqual([undefined, 'id', 'Вероятность', 'Приоритет', 'Заметка', 'Когда', 'День']);
    const r = ws.getRow(2);
    expect(r.getCell(1).value).toBe(100001);
    expect(r.getCell(2).value).toBe(0.734);
    expect(r.getCell(2).numFmt).toBe('0.0%');
    expect(r.getCell(3).value).toBe(-1.05);
    expect(r.getCell(3).type).toBe(ExcelJS.ValueType.Number);
    // Text is a shared string, never a formula, whatever it starts with.
    expect(r.getCell(4).type).toBe(ExcelJS.ValueType.String);
    expect(r.getCell(4).value).toBe('=HYPERLINK("http://evil")');
    // 21:30 UTC is 00:30 the next day in Moscow.
    expect(r.getCell(5).value).toEqual(new Date('2026-11-24T00:30:00Z'));
    expect(r.getCell(5).numFmt).toBe('dd.mm.yyyy hh:mm');
    expect(r.getCell(6).numFmt).toBe('dd.mm.yyyy');
    expect(ws.getRow(3).getCell(5).value).toBeNull();
  });

  it('freezes the header row and puts an autofilter over all columns', async () => {
    const ws = await readBack(await spreadsheetWriter.xlsx(table, { sheetName: 'plan' }));
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBe('A1:F1');
    expect(ws.getRow(1).font?.bold).toBe(true);
  });

  it('keeps markup and spaces in text as text, drops what XML cannot carry, and leaves empty cells and non-finite numbers empty', async () => {
    const odd: Table = {
      columns: [
        { header: 'a <b> & "c"', type: 'text' },
        { header: 'n', type: 'number' },
      ],
      rows: [
        ['</t></si><si><t>x', Number.NaN],
        ['  два пробела  ', Number.POSITIVE_INFINITY],
        ['bell\u0007 и табуляция\t', 3],
        [null, null],
      ],
    };
    const ws = await readBack(await spreadsheetWriter.xlsx(odd, { sheetName: "it's <odd>" }));
    expect(ws.name).toBe("it's <odd>");
    expect(ws.getCell('A1').value).toBe('a <b> & "c"');
    expect(ws.getCell('A2').value).toBe('</t></si><si><t>x');
    expect(ws.getCell('A3').value).toBe('  два пробела  ');
    expect(ws.getCell('A4').value).toBe('bell и табуляция\t');
    expect(ws.getCell('B2').value).toBeNull();
    expect(ws.getCell('B3').value).toBeNull();
    expect(ws.getCell('B4').value).toBe(3);
    expect(ws.getCell('A5').value).toBeNull();
    expect(ws.autoFilter).toBe('A1:B1');
  });
});

describe('CSV writer for Russian Excel', () => {
  const text = spreadsheetWriter.csv(table, { timeZone: 'Europe/Moscow' }).toString('utf8');
  const lines = text.replace(/^\uFEFF/, '').split('\r\n');

  it('starts with a BOM, separates with `;`, uses a decimal comma and CRLF', () => {
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(lines[0]).toBe('id;Вероятность;Приоритет;Заметка;Когда;День');
    expect(lines.at(-1)).toBe('');
    expect(lines[2].split(';').slice(0, 3)).toEqual(['100002', '0,5', '1234,5']);
  });

  it('keeps negative numbers numbers and neutralises formula-looking text, even text that looks like a number', () => {
    expect(lines[1].split(';')[2]).toBe('-1,05');
    expect(lines[1]).toContain(`;"'=HYPERLINK(""http://evil"")";`);
    expect(lines[3].split(';')[3]).toBe("'-1.05");
    expect(lines[3].split(';')[1]).toBe('0,0000001');
  });

  it('quotes text holding the separator or quotes, and writes dates as dd.mm.yyyy in the zone', () => {
    expect(lines[2]).toContain('"обычный; текст ""в кавычках"""');
    expect(lines[1].endsWith(';24.11.2026 00:30;24.11.2026')).toBe(true);
    expect(lines[2].endsWith(';;')).toBe(true);
  });
});

describe('plan table', () => {
  const labels: PlanTableLabels = {
    headers: {
      id: 'id',
      contacts: 'Контакты',
      probability: 'Вероятность',
      band: 'Риск',
      driver: 'Главная причина',
      segment: 'Сегмент',
      offer: 'Предложение',
      profit: 'Прибыль',
      expectedLoss: 'Ожидаемая потеря',
      status: 'Статус',
      contactedAt: 'Когда',
    },
    band: (b) => `band:${b}`,
    driver: (f) => `feature:${f}`,
    segment: (s) => `segment:${s}`,
    offer: (o) => `offer:${o}`,
    status: (s) => (s === null ? 'не звонили' : `status:${s}`),
  };
  const entry: PlanEntry = {
    id: 100001,
    rank: 1,
    probability: 0.91,
    band: 'high',
    profit: 4.5,
    expectedLoss: 4.095,
    offer: 'cart',
    driver: { feature: 'unpaidItems', contribution: 0.12, value: 7, typical: 3 },
    segments: ['cart', 'at-risk'],
    status: 'offered',
    contactedAt: '2026-11-23T10:00:00.000Z',
    contact: { id: 100001, name: 'Иван', phone: '+7 912 345-67-89', email: null, extra: {} },
    crmUrl: null,
  };

  it('has the agreed columns, typed, with every word from the labels', () => {
    const t = planTable([entry, { ...entry, id: 100002, driver: null, segments: [], status: null, contactedAt: null, contact: null }], labels);
    expect(t.columns.map((c) => c.type)).toEqual(['integer', 'text', 'percent', 'text', 'text', 'text', 'text', 'number', 'number', 'text', 'datetime']);
    expect(t.columns.map((c) => c.header)[1]).toBe('Контакты');
    expect(t.rows[0]).toEqual([
      100001,
      'Иван, +7 912 345-67-89',
      0.91,
      'band:high',
      'feature:unpaidItems',
      'segment:cart, segment:at-risk',
      'offer:cart',
      4.5,
      4.095,
      'status:offered',
      new Date('2026-11-23T10:00:00.000Z'),
    ]);
    expect(t.rows[1]).toEqual([100002, null, 0.91, 'band:high', null, null, 'offer:cart', 4.5, 4.095, 'не звонили', null]);
  });
});
