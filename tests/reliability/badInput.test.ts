/**
 * Bad-input catalogue, end to end (docs/reliability.md lists every case with its test): each broken
 * data set either ends in DataError problems `file:line: message`, or is repaired as documented and
 * reads exactly like the clean original. Either way the store keeps serving what it served: the same
 * active model, the same served data set, the same /risk answer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../src/core/domain.ts';
import { DataError, formatProblem } from '../../src/core/errors.ts';
import type { SqliteStore } from '../../src/data/sqlite/store.ts';
import { spreadsheetWriter } from '../../src/data/index.ts';
import { exportTable } from '../../src/features/export.ts';
import { DEMO_DIR, servedIds, trainedApp, type Fixture } from '../support/appFixture.ts';
import { FILES, cleanupTmp, dataLines, tmpDir, writeSet, type FileName } from '../data/helpers.ts';

let fx: Fixture;
let clean: Customer[];
let before: { model: number | null; served: number; risk: string };
/** A served customer, picked once the app is trained. */
let PROBE_ID: number;

/** What users see: the active model, the data set it serves, one /risk answer. */
async function servedState() {
  const replies = await fx.app.dialogue.handleText({ chatId: 1, userId: 1, isAdmin: true }, `/risk ${PROBE_ID}`);
  return {
    model: await fx.app.store.models.activeVersion(),
    served: (await fx.app.assistant.modelInfo()).model.datasetVersion,
    risk: replies.map((r) => (r.type === 'text' ? r.text : r.type)).join('\n'),
  };
}

beforeAll(async () => {
  fx = await trainedApp({ dataDir: DEMO_DIR });
  PROBE_ID = (await servedIds(fx.app))[0];
  clean = await fx.app.store.datasets.customers((await fx.app.store.datasets.latest())!.version);
  before = await servedState();
});
afterAll(async () => {
  // Whatever happened in between, users saw no change.
  expect(await servedState()).toEqual(before);
  expect((fx.app.store as SqliteStore).db.pragma('integrity_check', { simple: true })).toBe('ok');
  await fx?.dispose();
  cleanupTmp();
});

const lines = (f: FileName) => dataLines(f);
const crlf = (ls: string[]) => ls.join('\r\n') + '\r\n';

/** Ingests `dir` and returns its problems as `file:line: message` (fails if accepted). */
async function rejected(dir: string): Promise<string[]> {
  const datasetsBefore = (await fx.app.store.datasets.list()).length;
  try {
    await fx.app.assistant.ingestDir(dir);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    expect(await fx.app.store.datasets.list()).toHaveLength(datasetsBefore);
    expect(await servedState()).toEqual(before);
    return e.problems.map(formatProblem);
  }
  throw new Error('expected a DataError, but the data set was accepted');
}

/** Ingests `dir`, expects it to read exactly like the clean files, and users to see no change. */
async function repaired(dir: string): Promise<void> {
  const { data } = await fx.app.assistant.ingestDir(dir);
  expect(data.customers).toEqual(clean);
  expect(await servedState()).toEqual(before);
}

describe('bad input is rejected with file:line, nothing changes', () => {
  it('empty file and header-only file', async () => {
    const ps = await rejected(writeSet({ 'market_time.csv': '', 'money.csv': 'id;Прибыль\r\n' }));
    expect(ps.some((p) => /^market_time\.csv:\d+: /.test(p))).toBe(true);
    expect(ps.some((p) => /^money\.csv:\d+: /.test(p))).toBe(true);
  });

  it('a missing column is named at line 1', async () => {
    const ps = await rejected(writeSet({ 'market_money.csv': lines('market_money.csv').map((l) => l.split(',').slice(0, 2).join(',')) }));
    expect(ps[0]).toMatch(/^market_money\.csv:1: .*Выручка/);
  });

  it('a truncated last line is reported at its line', async () => {
    const ls = lines('market_file.csv');
    const cut = ls.slice();
    cut[cut.length - 1] = cut[cut.length - 1].slice(0, 20);
    const ps = await rejected(writeSet({ 'market_file.csv': cut.join('\r\n') }));
    expect(ps.some((p) => p.startsWith(`market_file.csv:${ls.length}: `))).toBe(true);
  });

  it('duplicate id, an id in one file only, an unknown period', async () => {
    const market = lines('market_file.csv');
    const money = lines('market_money.csv');
    const time = lines('market_time.csv');
    const dupMarket = [...market, market[5]];
    const extraMoney = [...money, '999999,текущий_месяц,100'];
    const badTime = time.slice();
    badTime[3] = badTime[3].replace(/,[^,]+,/, ',позапрошлый_год,');
    const ps = await rejected(writeSet({ 'market_file.csv': dupMarket, 'market_money.csv': extraMoney, 'market_time.csv': badTime }));
    expect(ps.some((p) => p.startsWith(`market_file.csv:${dupMarket.length}: `))).toBe(true);
    expect(ps.some((p) => p.startsWith(`market_money.csv:${extraMoney.length}: `) && /999999/.test(p))).toBe(true);
    expect(ps.some((p) => p.startsWith('market_time.csv:4: ') && /позапрошлый_год/.test(p))).toBe(true);
  });

  it('non-numeric, negative and NaN values, each at its line', async () => {
    const money = lines('market_money.csv');
    const m = money.slice();
    m[1] = m[1].replace(/,[^,]*$/, ',много');
    m[2] = m[2].replace(/,[^,]*$/, ',-5000');
    m[3] = m[3].replace(/,[^,]*$/, ',NaN');
    const market = lines('market_file.csv').slice();
    const f = market[2].split(',');
    f[7] = '1.7'; // Акционные_покупки is a share: at most 1
    market[2] = f.join(',');
    const ps = await rejected(writeSet({ 'market_money.csv': m, 'market_file.csv': market }));
    for (const line of [2, 3, 4]) expect(ps.some((p) => p.startsWith(`market_money.csv:${line}: `))).toBe(true);
    expect(ps.some((p) => p.startsWith('market_file.csv:3: '))).toBe(true);
  });

  it('an absurd revenue is a documented repair: that customer is dropped as an outlier, the rest kept', async () => {
    const m = lines('market_money.csv').slice();
    const id = Number(m[7].split(',')[0]);
    m[7] = m[7].replace(/,[^,]*$/, ',999999999');
    const { data } = await fx.app.assistant.ingestDir(writeSet({ 'market_money.csv': m }));
    expect(data.dropped).toContainEqual(expect.objectContaining({ id, reason: 'revenue_outlier' }));
    expect(data.customers.map((c) => c.id)).toEqual(clean.map((c) => c.id).filter((x) => x !== id));
    expect(await servedState()).toEqual(before);
  });

  it('SQL meta-characters in an id are a bad id, and the tables survive', async () => {
    const money = lines('money.csv').slice();
    money[1] = `${money[1].split(';')[0]}'); DROP TABLE customer;--;4,16`;
    const ps = await rejected(writeSet({ 'money.csv': money }));
    expect(ps.some((p) => p.startsWith('money.csv:2: '))).toBe(true);
    expect(await fx.app.store.datasets.customers(before.served)).toHaveLength(clean.length);
  });

  it('binary garbage under a data file name', async () => {
    const junk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const ps = await rejected(writeSet({ 'market_file.csv': junk }));
    expect(ps.some((p) => /^market_file\.csv:\d+: /.test(p))).toBe(true);
  });

  it('a 25 MB file full of duplicates: the list stops at 1000 per file and says how many more', async () => {
    const time = lines('market_time.csv');
    const dup = time[1];
    const n = Math.ceil((25 * 2 ** 20) / (dup.length + 2));
    const big = Buffer.from(crlf(time) + `${dup}\r\n`.repeat(n));
    expect(big.length).toBeGreaterThan(25 * 2 ** 20);
    const ps = await rejected(writeSet({ 'market_time.csv': big }));
    const forTime = ps.filter((p) => p.startsWith('market_time.csv'));
    expect(forTime.length).toBeLessThanOrEqual(1001);
    expect(forTime.at(-1)).toMatch(/и ещё \d[\d\s]* ошиб(ок|ки|ка) в этом файле/);
    // The summary line names the file without an absurd line number.
    expect(forTime.at(-1)).not.toMatch(/9007199254740991/);
  });

  it('a ZIP with only junk in it names what is missing', async () => {
    const zip = Buffer.from(zipSync({ 'readme.txt': new Uint8Array(Buffer.from('hello')), 'a/b/c.bin': new Uint8Array(16) }));
    await expect(fx.app.assistant.ingestFiles({ 'data.zip': zip }, 'upload')).rejects.toBeInstanceOf(DataError);
    expect(await servedState()).toEqual(before);
  });
});

describe('bad input that is safely repaired reads exactly like the clean files', () => {
  const allFiles = (f: (ls: string[], file: FileName) => string | Buffer) =>
    Object.fromEntries(FILES.map((file) => [file, f(lines(file), file)]));

  it('Windows-1251 and UTF-8 with BOM', async () => {
    await repaired(writeSet(allFiles((ls, file) => (file === 'money.csv' ? iconv.encode(crlf(ls), 'win1251') : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf(ls))])))));
  });

  it('`;` with decimal commas in every file, and `,` with decimal points in money.csv', async () => {
    await repaired(
      writeSet(
        allFiles((ls, file) =>
          file === 'money.csv'
            ? crlf(ls.map((l) => l.replace(',', '.').replace(';', ',')))
            : crlf(ls.map((l) => l.split(',').map((v) => (/^-?\d+\.\d+$/.test(v) ? v.replace('.', ',') : v)).join(';'))),
        ),
      ),
    );
  });

  it('extra columns, another column order, header case and whitespace', async () => {
    const money = lines('market_money.csv').map((l, i) => {
      const [id, period, rev] = l.split(',');
      return i === 0 ? '  ВЫРУЧКА ,Комментарий, период ,ID ' : `${rev},x,${period},${id}`;
    });
    await repaired(writeSet({ 'market_money.csv': money }));
  });

  it('mixed CRLF/LF line ends and a last line without one', async () => {
    const ls = lines('market_time.csv');
    await repaired(writeSet({ 'market_time.csv': ls.map((l, i) => l + (i % 2 ? '\n' : '\r\n')).join('').trimEnd() }));
  });

  it('quoted fields holding the separator', async () => {
    const ls = lines('market_file.csv').map((l, i) => (i === 0 ? l : l.split(',').map((v) => `"${v}"`).join(',')));
    await repaired(writeSet({ 'market_file.csv': ls }));
  });

  it('the known typos «стандартт» and «предыдцщий_месяц» (present in the real export)', async () => {
    expect(lines('market_file.csv').some((l) => l.includes('стандартт'))).toBe(true);
    expect(lines('market_time.csv').some((l) => l.includes('предыдцщий_месяц'))).toBe(true);
    await repaired(writeSet());
  });

  it('a ZIP with the files in a nested folder plus extra files', async () => {
    const entries: Record<string, Uint8Array> = { 'отчёт/readme.txt': new Uint8Array(Buffer.from('x')), '__MACOSX/._money.csv': new Uint8Array(8) };
    for (const f of FILES) entries[`выгрузка/2026/${f}`] = new Uint8Array(readFileSync(path.join(DEMO_DIR, f)));
    const { data } = await fx.app.assistant.ingestFiles({ 'data.zip': Buffer.from(zipSync(entries)) }, 'upload');
    expect(data.customers).toEqual(clean);
    expect(await servedState()).toEqual(before);
  });
});

describe('formula injection', () => {
  it('text starting with = is stored verbatim and can never run as a formula in the exports', async () => {
    const evil = '=HYPERLINK("http://evil.example","x")';
    const market = lines('market_file.csv').map((l, i) => {
      if (i === 0) return l;
      const f = l.split(',');
      f[8] = `"${evil.replace(/"/g, '""')}"`;
      return f.join(',');
    });
    const dir = tmpDir();
    writeSet({ 'market_file.csv': market }, dir);
    // A separate app: this case must train on the poisoned data to export it.
    const other = await trainedApp({ dataDir: dir });
    try {
      const c = (await other.app.store.datasets.customer((await other.app.assistant.modelInfo()).model.datasetVersion, PROBE_ID))!;
      expect(c.popularCategory).toBe(evil);
      // Contact names come from another system: the text a manager's Excel opens.
      const members = (await other.app.assistant.segment('at-risk')).members;
      const target = members[0].customer.id;
      await other.app.store.contacts.upsert([{ id: target, name: evil, phone: null, email: null, extra: {} }], 'test');
      expect((await other.app.store.contacts.get(target))?.name).toBe(evil);

      const [doc] = await other.app.dialogue.handleText({ chatId: 1, userId: 1, isAdmin: true }, '/export at-risk');
      expect(doc.type).toBe('document');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((doc as { content: Buffer }).content as unknown as ArrayBuffer);
      const cell = wb.worksheets[0].getCell('B2');
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe(evil);

      const csv = spreadsheetWriter.csv(exportTable(await other.app.campaign.segmentEntries(members), other.app.config.units)).toString('utf8');
      const row = csv.split('\r\n').find((r) => r.startsWith(`${target};`))!;
      expect(row).toContain(`;"'=HYPERLINK(""http://evil.example"",""x"")";`);
      writeFileSync(path.join(dir, 'export.csv'), csv);
    } finally {
      await other.dispose();
    }
  });
});
