import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { importContactFiles, importContacts } from '../../src/core/campaign/index.ts';
import { NotFoundError } from '../../src/core/errors.ts';
import { csvContactsReader, openStore, readContactsFiles, readContactsPath, readDatasetDir, type SqliteStore } from '../../src/data/index.ts';
import { isPhone } from '../../src/data/csv/contacts.ts';
import { cleanupTmp, problemsOf, tmpDir, where } from './helpers.ts';

afterAll(cleanupTmp);

/** Ids 100001…100010 are customers. */
const known = async () => (id: number) => id >= 100001 && id <= 100010;
const lines = (...ls: string[]) => ls.join('\r\n') + '\r\n';

function dirWith(files: Record<string, string | Buffer>): string {
  const dir = tmpDir();
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

describe('contacts.csv reader', () => {
  it('reads English or Russian headers, keeps extra columns as text, and warns (only) about unknown ids', async () => {
    const dir = dirWith({
      'contacts.csv': lines(
        'ID,ФИО,Телефон,E-mail,Город,Менеджер',
        '100001,Иван Петров,+7 (912) 345-67-89,ivan@example.ru,Пермь,',
        '100002,,8-912-345-67-80,,,Анна',
        '999999,Кто-то,+79120000000,,,',
        '100003,Ольга,,olga@example.ru,007,',
      ),
    });
    const read = (await readContactsPath(dir, known))!;
    expect(read.file).toBe('contacts.csv');
    expect(read.contacts).toEqual([
      { id: 100001, name: 'Иван Петров', phone: '+7 (912) 345-67-89', email: 'ivan@example.ru', extra: { Город: 'Пермь' } },
      { id: 100002, name: null, phone: '8-912-345-67-80', email: null, extra: { Менеджер: 'Анна' } },
      { id: 100003, name: 'Ольга', phone: null, email: 'olga@example.ru', extra: { Город: '007' } },
    ]);
    expect(read.ignored).toBe(1);
    expect(where(read.warnings)).toEqual(['contacts.csv:4']);
    expect(read.warnings[0].message).toMatch(/999999/);
  });

  it('reports duplicate ids, broken phones and e-mails, bad ids and field counts as file:line problems', async () => {
    const dir = dirWith({
      'contacts.csv': lines(
        'id,name,phone,email',
        '100001,Иван,+7 912 345-67-89,ivan@example.ru',
        '100002,Ольга,"7,91235E+10",',
        '100003,Пётр,12-34,',
        '100001,Иван,+7 912 345-67-89,',
        'abc,Нет,,',
        '100004,Анна,,anna at example',
        '100005,Анна,89123456789,anna@example.ru,лишнее',
      ),
    });
    const problems = await problemsOf(() => readContactsPath(dir, known));
    expect(where(problems)).toEqual(['contacts.csv:3', 'contacts.csv:4', 'contacts.csv:5', 'contacts.csv:6', 'contacts.csv:7', 'contacts.csv:8']);
    expect(problems[0]).toMatchObject({ column: 'phone', message: expect.stringMatching(/7,91235E\+10/) });
    expect(problems[1]).toMatchObject({ column: 'phone', message: expect.stringMatching(/12-34/) });
    expect(problems[2].message).toMatch(/уже встречался в строке 2/);
    expect(problems[3].column).toBe('id');
    expect(problems[4]).toMatchObject({ column: 'email' });
    expect(problems[5].message).toMatch(/полей/);
  });

  it('requires an id column; a file is read with the data set files’ encodings and separators', async () => {
    expect(where(await problemsOf(() => readContactsPath(dirWith({ 'contacts.csv': lines('name,phone', 'Иван,89123456789') }), known)))).toEqual(['contacts.csv:1']);
    const cp1251 = iconv.encode(lines('id;Имя;Телефон', '100001;Иван;89123456789'), 'win1251');
    const file = path.join(dirWith({ 'Contacts (1).csv': cp1251 }), 'Contacts (1).csv');
    expect((await readContactsPath(file, known))!.contacts).toEqual([{ id: 100001, name: 'Иван', phone: '89123456789', email: null, extra: {} }]);
  });

  it('is optional: a data set directory without contacts.csv gives null and still ingests as before', async () => {
    const dir = tmpDir();
    const { synthesize } = await import('../../src/data/index.ts');
    await synthesize({ customers: 50, seed: 1, outDir: dir });
    expect(await readContactsPath(dir, known)).toBeNull();
    writeFileSync(path.join(dir, 'contacts.csv'), lines('id,phone', '100001,89123456789'));
    expect((await readDatasetDir(dir)).customersIn).toBe(50);
    expect((await readContactsPath(dir, known))!.contacts).toHaveLength(1);
  });

  it('finds contacts.csv among uploads, loose or inside a zip; refuses two of them', async () => {
    const csv = Buffer.from(lines('id,phone', '100002,89123456789'));
    expect((await readContactsFiles({ 'market_file.csv': Buffer.from('x'), 'contacts.csv': csv }, known))!.contacts[0].id).toBe(100002);
    const zip = Buffer.from(zipSync({ 'export/contacts.csv': new Uint8Array(csv), '__MACOSX/export/contacts.csv': new Uint8Array(4) }));
    expect((await readContactsFiles({ 'data.zip': zip }, known))!.contacts).toHaveLength(1);
    expect(await readContactsFiles({ 'money.csv': Buffer.from('x') }, known)).toBeNull();
    const both = await problemsOf(() => readContactsFiles({ 'data.zip': zip, 'contacts.csv': csv }, known));
    expect(both).toHaveLength(1);
  });

  it('accepts phones as people type them and refuses what Excel or typos make of them', async () => {
    for (const ok of ['+7 912 345-67-89', '8 (912) 345-67-89', '9123456789', '+44 20 7946 0958', '+7.912.345.67.89']) expect(isPhone(ok), ok).toBe(true);
    for (const bad of ['12345', '7,91235E+10', '+7 912 345-67-89 доб. 12', '8912345678901234', 'нет']) expect(isPhone(bad), bad).toBe(false);
  });
});

describe('importContacts use case', () => {
  let store: SqliteStore;
  let dataDir: string;
  beforeEach(async () => {
    store = openStore(':memory:');
    dataDir = tmpDir();
    const { synthesize } = await import('../../src/data/index.ts');
    await synthesize({ customers: 30, seed: 5, outDir: dataDir });
  });
  afterEach(() => store.close());

  it('needs a data set to tell customers from strangers', async () => {
    await expect(importContacts({ store, reader: csvContactsReader }, dataDir)).rejects.toThrow(NotFoundError);
  });

  it('stores known customers’ contacts; they survive a new data set upload without contacts.csv', async () => {
    await store.datasets.create(await readDatasetDir(dataDir), dataDir);
    mkdirSync(path.join(dataDir, 'more'));
    const file = path.join(dataDir, 'more', 'contacts.csv');
    writeFileSync(file, lines('id,name,phone', '100001,Иван,89123456789', '100002,Ольга,', '5,Чужой,'));
    const done = await importContacts({ store, reader: csvContactsReader }, file);
    expect(done).toMatchObject({ file: 'contacts.csv', stored: 2, ignored: 1, total: 2 });
    await store.datasets.create(await readDatasetDir(dataDir), 'next upload');
    expect(await importContacts({ store, reader: csvContactsReader }, dataDir)).toBeNull();
    expect(await store.contacts.get(100001)).toMatchObject({ name: 'Иван', phone: '89123456789' });
    const again = await importContactFiles({ store, reader: csvContactsReader }, { 'contacts.csv': Buffer.from(lines('id,phone', '100001,+79120000000')) }, 'upload');
    expect(again).toMatchObject({ stored: 1, total: 2 });
    expect(await store.contacts.get(100001)).toMatchObject({ name: null, phone: '+79120000000' });
    expect((await store.contacts.get(100002))?.name).toBe('Ольга');
  });

  it('reads the data set back only when there is a contacts file to match (an upload without one costs no read)', async () => {
    await store.datasets.create(await readDatasetDir(dataDir), dataDir);
    const reads = vi.spyOn(store.datasets, 'customers');
    expect(await importContacts({ store, reader: csvContactsReader }, dataDir)).toBeNull();
    expect(await importContactFiles({ store, reader: csvContactsReader }, { 'money.csv': Buffer.from('x') }, 'upload')).toBeNull();
    expect(reads).not.toHaveBeenCalled();
    await importContactFiles({ store, reader: csvContactsReader }, { 'contacts.csv': Buffer.from(lines('id,phone', '100001,+79120000000')) }, 'upload');
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('stores nothing when the file has a problem', async () => {
    await store.datasets.create(await readDatasetDir(dataDir), dataDir);
    const file = path.join(tmpDir(), 'contacts.csv');
    writeFileSync(file, lines('id,phone', '100001,89123456789', '100002,123'));
    await expect(importContacts({ store, reader: csvContactsReader }, file)).rejects.toThrow(/contacts.csv:3/);
    expect(await store.contacts.count()).toBe(0);
  });
});
