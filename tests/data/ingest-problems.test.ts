import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, formatProblem } from '../../src/core/errors.ts';
import { readDatasetDir } from '../../src/data/index.ts';
import { cleanupTmp, dataLines, idAt, problemsOf, setField, tmpDir, where, writeSet, type FileName } from './helpers.ts';

afterAll(cleanupTmp);

const lines = (f: FileName) => dataLines(f);
/** 1-based line of the first row matching `pred`. */
const lineOf = (ls: string[], pred: (l: string) => boolean) => ls.findIndex(pred) + 1;
const run = (overrides: Parameters<typeof writeSet>[0]) => problemsOf(() => readDatasetDir(writeSet(overrides)));

describe('file-level problems', () => {
  it('reports a missing file by its expected name at line 0', async () => {
    const ps = await run({ 'money.csv': null });
    expect(ps).toEqual([{ file: 'money.csv', line: 0, message: expect.stringContaining('файл не найден') }]);
  });

  it('reports a missing data directory', async () => {
    const ps = await problemsOf(() => readDatasetDir('/nonexistent/one-click'));
    expect(ps).toHaveLength(1);
    expect(ps[0].message).toMatch(/папка/);
  });

  it('reports an empty file and a header-only file', async () => {
    const ps = await run({ 'market_time.csv': '', 'money.csv': 'id;Прибыль\r\n' });
    expect(where(ps)).toEqual(['market_time.csv:0', 'money.csv:0']);
    expect(ps[0].message).toBe('файл пуст');
    expect(ps[1].message).toMatch(/только заголовок/);
  });

  it('reports each missing column at line 1, naming the column', async () => {
    const money = lines('market_money.csv').map((l) => l.split(',').slice(0, 2).join(','));
    const market = lines('market_file.csv').map((l) => l.split(',').filter((_, i) => i !== 2 && i !== 12).join(','));
    const ps = await run({ 'market_money.csv': money, 'market_file.csv': market });
    expect(ps.map((p) => `${p.file}:${p.line}:${p.column}`)).toEqual([
      'market_file.csv:1:Тип сервиса',
      'market_file.csv:1:Страниц_за_визит',
      'market_money.csv:1:Выручка',
    ]);
    expect(ps[0].message).toBe('нет столбца «Тип сервиса»');
  });

  it('requires the label column when asked (training uploads)', async () => {
    const market = lines('market_file.csv').map((l) => l.split(',').filter((_, i) => i !== 1).join(','));
    const dir = writeSet({ 'market_file.csv': market });
    await expect(readDatasetDir(dir)).resolves.toBeTruthy();
    const ps = await problemsOf(() => readDatasetDir(dir, { requireLabel: true }));
    expect(ps).toEqual([{ file: 'market_file.csv', line: 1, column: 'Покупательская активность', message: 'нет столбца «Покупательская активность»' }]);
  });

  it('a label column left blank throughout means «no labels»; a blank among filled labels is a problem', async () => {
    const blank = lines('market_file.csv').map((l, i) => (i === 0 ? l : setField([l], 1, 1, '')[0]));
    const unlabelled = await readDatasetDir(writeSet({ 'market_file.csv': blank }));
    expect(unlabelled.customers.every((c) => c.label === null)).toBe(true);
    const required = await problemsOf(() => readDatasetDir(writeSet({ 'market_file.csv': blank }), { requireLabel: true }));
    expect(required).toHaveLength(1000 + 1); // 1300 blanks, the first 1000 kept
    expect(required[0]).toEqual({ file: 'market_file.csv', line: 2, column: 'Покупательская активность', message: 'пустое значение в столбце «Покупательская активность»' });
    const oneBlank = await run({ 'market_file.csv': setField(lines('market_file.csv'), 8, 1, ' ') });
    expect(oneBlank.map(formatProblem)).toEqual(['market_file.csv:8: пустое значение в столбце «Покупательская активность»']);
  });

  it('refuses binary garbage under a data file name', async () => {
    const ps = await run({ 'market_time.csv': randomBytes(5000) });
    expect(ps).toEqual([{ file: 'market_time.csv', line: 0, message: expect.stringContaining('не похож на текстовый CSV') }]);
  });

  it('reports text that is UTF-8 at first and broken later at the line where it breaks', async () => {
    // 9000 valid rows push the bad bytes well past the 64 KiB the encoding is sniffed from.
    const rows = ['id;Прибыль', ...Array.from({ length: 9000 }, (_, i) => `${300000 + i};1,5`)];
    const bad = Buffer.from([0x39, 0x39, 0x3b, 0xd0, 0xff, 0x0d, 0x0a]); // «99;» then a broken character
    const ps = await run({ 'money.csv': Buffer.concat([Buffer.from(rows.join('\r\n') + '\r\n'), bad, Buffer.from('300001;2\r\n')]) });
    expect(ps.filter((p) => p.message.includes('кодировк'))).toEqual([{ file: 'money.csv', line: 9002, message: expect.stringContaining('не UTF-8') }]);
  });

  it('reports an unclosed quote instead of swallowing the rest of the file', async () => {
    const market = lines('market_file.csv');
    const n = 14; // any data line: whichever category it holds gets an opening quote below
    market[n - 1] = market[n - 1].replace('Товары для детей', '"Товары для детей').replace('Домашний текстиль', '"Домашний текстиль').replace('Кухонная посуда', '"Кухонная посуда').replace('Косметика и аксесуары', '"Косметика и аксесуары').replace('Техника для красоты и здоровья', '"Техника для красоты и здоровья').replace('Мелкая бытовая техника и электроника', '"Мелкая бытовая техника и электроника');
    const ps = await run({ 'market_file.csv': market });
    expect(ps[0]).toMatchObject({ file: 'market_file.csv', line: n, message: expect.stringMatching(/кавычк/) });
  });
});

describe('value problems, each at its exact file:line', () => {
  it('non-numeric, NaN, negative and out-of-range values', async () => {
    let market = lines('market_file.csv');
    market = setField(market, 5, 12, 'много'); // Страниц_за_визит
    market = setField(market, 6, 7, '1.5'); // Акционные_покупки > 1
    market = setField(market, 7, 4, ''); // empty Маркет_актив_6_мес
    const money = setField(lines('market_money.csv'), 7, 2, '-5.0');
    const time = setField(lines('market_time.csv'), 10, 2, 'NaN');
    const profit = setField(lines('money.csv'), 3, 1, '4,1,6', ';');
    const ps = await run({ 'market_file.csv': market, 'market_money.csv': money, 'market_time.csv': time, 'money.csv': profit });
    expect(ps.map((p) => `${formatProblem(p)} [${p.column}]`)).toEqual([
      'market_file.csv:5: «много» — не число (столбец «Страниц_за_визит») [Страниц_за_визит]',
      'market_file.csv:6: значение 1.5 в столбце «Акционные_покупки» вне допустимого диапазона от 0 до 1 [Акционные_покупки]',
      'market_file.csv:7: пустое значение в столбце «Маркет_актив_6_мес» [Маркет_актив_6_мес]',
      'market_money.csv:7: отрицательное значение -5.0 в столбце «Выручка» [Выручка]',
      'market_time.csv:10: пропущенное значение (NaN) в столбце «минут» [минут]',
      'money.csv:3: «4,1,6» — не число (столбец «Прибыль») [Прибыль]',
    ]);
  });

  it('unknown label, service type, yes/no, period; bad id', async () => {
    let market = lines('market_file.csv');
    market = setField(market, 4, 1, 'Выросла');
    market = setField(market, 8, 2, 'люкс');
    market = setField(market, 9, 3, 'может быть');
    market = setField(market, 10, 0, '21x5357');
    const money = setField(lines('market_money.csv'), 3, 1, 'позапрошлый_месяц');
    const time = setField(lines('market_time.csv'), 5, 1, 'препредыдущий_месяц'); // valid in market_money only
    const ps = await run({ 'market_file.csv': market, 'market_money.csv': money, 'market_time.csv': time });
    const byLine = (f: string, l: number) => ps.filter((p) => p.file === f && p.line === l).map((p) => p.message);
    expect(byLine('market_file.csv', 4)).toEqual([
      'неизвестное значение «Выросла» в столбце «Покупательская активность»; допустимо: «Снизилась», «Прежний уровень»',
    ]);
    expect(byLine('market_file.csv', 8)[0]).toMatch(/«люкс» в столбце «Тип сервиса»/);
    expect(byLine('market_file.csv', 9)[0]).toMatch(/«может быть» в столбце «Разрешить сообщать»/);
    expect(byLine('market_file.csv', 10)).toEqual(['«21x5357» — не номер клиента (нужно целое положительное число)']);
    expect(byLine('market_money.csv', 3)[0]).toMatch(/«позапрошлый_месяц» в столбце «Период»/);
    expect(byLine('market_time.csv', 5)[0]).toMatch(/«препредыдущий_месяц» в столбце «Период»; допустимо: «предыдущий_месяц», «текущий_месяц»/);
  });

  it('duplicate id and duplicate (id, period), pointing at the first occurrence', async () => {
    const market = lines('market_file.csv');
    const money = lines('market_money.csv');
    const profit = lines('money.csv');
    const ps = await run({
      'market_file.csv': [...market, market[1]],
      'market_money.csv': [...money, money[4]],
      'money.csv': [...profit, profit[2]],
    });
    expect(ps.map(formatProblem)).toEqual([
      `market_file.csv:${market.length + 1}: клиент ${idAt(market, 2)} уже встречался в строке 2`,
      `market_money.csv:${money.length + 1}: для клиента ${idAt(money, 5)} период «${money[4].split(',')[1]}» уже был в строке 5`,
      `money.csv:${profit.length + 1}: клиент ${idAt(profit, 3)} уже встречался в строке 3`,
    ]);
  });

  it('an id missing from another file is reported where it does appear', async () => {
    const market = lines('market_file.csv');
    const noTime = idAt(market, 4);
    const noCurrentMonth = idAt(market, 5);
    const stranger = 999999;
    expect(market.some((l) => l.startsWith(`${stranger},`))).toBe(false);
    const time = lines('market_time.csv').filter((l) => !l.startsWith(`${noTime},`));
    const profit = [...lines('money.csv'), `${stranger};4,2`];
    const money = lines('market_money.csv');
    const cut = lineOf(money, (l) => l.startsWith(`${noCurrentMonth},текущий_месяц`));
    const firstOfIt = lineOf(money, (l) => l.startsWith(`${noCurrentMonth},`));
    const ps = await run({ 'market_time.csv': time, 'money.csv': profit, 'market_money.csv': money.filter((_, i) => i !== cut - 1) });
    expect(ps.map(formatProblem)).toEqual([
      `market_file.csv:4: клиента ${noTime} нет в файле market_time.csv`,
      `market_money.csv:${firstOfIt}: для клиента ${noCurrentMonth} нет строки за период «текущий_месяц»`,
      `money.csv:${profit.length}: клиента ${stranger} нет в файле market_file.csv`,
    ]);
  });

  it('a truncated last line (wrong field count) is reported at its line', async () => {
    const market = lines('market_file.csv');
    const text = market.join('\r\n');
    const ps = await run({ 'market_file.csv': text.slice(0, text.length - 25) });
    expect(ps).toContainEqual({ file: 'market_file.csv', line: market.length, message: expect.stringMatching(/из 13 полей — строка обрезана/) });
  });

  it('too many fields on a line', async () => {
    const time = lines('market_time.csv');
    time[5] += ',15';
    const ps = await run({ 'market_time.csv': time });
    expect(ps.map(formatProblem)).toEqual(['market_time.csv:6: в строке 4 полей вместо 3 — лишний разделитель или кавычка']);
  });
});

describe('collecting problems', () => {
  it('collects every problem in every file, ordered by file then line, and throws DataError', async () => {
    const market = setField(setField(lines('market_file.csv'), 20, 12, 'x'), 10, 12, 'y');
    const money = setField(lines('market_money.csv'), 30, 2, '-1');
    const dir = writeSet({ 'market_file.csv': market, 'market_money.csv': money, 'money.csv': null });
    const err = await readDatasetDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(where((err as DataError).problems)).toEqual(['market_file.csv:10', 'market_file.csv:20', 'market_money.csv:30', 'money.csv:0']);
    expect((err as DataError).message).toContain('market_file.csv:10: «y» — не число');
  });

  it('keeps the first N problems per file and counts the rest', async () => {
    let market = lines('market_file.csv');
    for (let l = 2; l < 22; l++) market = setField(market, l, 12, 'x');
    const dir = writeSet({ 'market_file.csv': market });
    const ps = await problemsOf(() => readDatasetDir(dir, { maxProblemsPerFile: 5 }));
    expect(ps).toHaveLength(6);
    expect(ps[5]).toEqual({ file: 'market_file.csv', line: 0, message: 'и ещё 15 ошибок в этом файле (показаны первые)' });
  });

  it('a file with an unusable header adds no row noise', async () => {
    const money = lines('market_money.csv');
    money[0] = 'id,Период,Доход';
    const ps = await run({ 'market_money.csv': money, 'market_time.csv': tmpDir() && lines('market_time.csv') });
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ file: 'market_money.csv', line: 1, column: 'Выручка' });
  });
});
