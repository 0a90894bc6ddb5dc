/**
 * New data through the chat, end to end: documents from a simulated manager through the Bot API
 * emulator, download via getFile, validation by the real reader, training in a child process
 * (`retention train` on the same SQLite file, with a fast search), and the active model switch.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/createBot.ts';
import type { UploadFeature } from '../../src/bot/upload.ts';
import { botWiring } from '../../src/app/bot.ts';
import { readDatasetDir, type IngestResult } from '../../src/data/index.ts';
import { DEMO_DIR, servedIds, trainedApp, type Fixture } from '../support/appFixture.ts';
import {
  asUserFiles,
  breakLastColumn,
  DATASET_FILES,
  readDataset,
  toCp1251,
  withBom,
  zipOf,
} from '../support/datasetFiles.ts';
import { startEmulator, startPolling, type ApiCall, type TelegramEmulator } from '../support/telegramEmulator.ts';

const ADMIN = 100;
const MANAGER = 200;
const FAST_TRAIN = ['--families', 'logistic', '--folds', '3', '--repeats', '1'];
/** Training runs in a child process; on a busy 2-core machine it can take a while. */
const JOB = { timeoutMs: 90_000 };

let fx: Fixture;
let tg: TelegramEmulator;
let polling: { stop(): Promise<void> } | undefined;
let uploads: UploadFeature | undefined;
const files = readDataset(DEMO_DIR);
/** The demo set as the reader sees it: the counts the bot must report. */
let demo: IngestResult;
/** A served customer to ask about. */
let ID: number;
/** A count as a pattern, the way the bot writes it («1 296»). */
const n = (v: number) => v.toLocaleString('ru-RU').replace(/\s/g, '\\s');

beforeAll(async () => {
  demo = await readDatasetDir(DEMO_DIR);
  fx = await trainedApp({ dataDir: DEMO_DIR });
  ID = (await servedIds(fx.app))[0];
});
afterAll(async () => await fx?.dispose());

afterEach(async () => {
  await polling?.stop();
  await uploads?.shutdown();
  polling = undefined;
  uploads = undefined;
  await tg?.close();
});

async function start(opts: { now?: () => number; trainArgs?: string[] } = {}) {
  tg = await startEmulator();
  const wiring = botWiring(fx.app, {
    token: tg.token,
    apiRoot: tg.apiRoot,
    access: { allowed: new Set([MANAGER]), admins: new Set([ADMIN]) },
    rateLimitPerMinute: 1000,
    uploads: { trainArgs: opts.trainArgs ?? FAST_TRAIN, now: opts.now },
  });
  uploads = wiring.uploads!;
  const { bot } = createBot(wiring.deps);
  polling = startPolling(bot);
}

const activeVersion = async () => await fx.app.store.models.activeVersion();
const latestDataset = async () => (await fx.app.store.datasets.latest())?.version;

/** The progress message's edits, in order, until one matches `last`. */
async function editsUntil(chatId: number, last: RegExp): Promise<ApiCall[]> {
  const final = await tg.waitForCall(
    (c) => c.method === 'editMessageText' && c.params.chat_id === chatId && last.test(String(c.params.text)),
    JOB,
  );
  return tg.calls.filter((c) => c.method === 'editMessageText' && c.params.chat_id === chatId && c.at <= final.at && c.ok);
}

async function ask(chatId: number, text: string): Promise<string> {
  tg.sendText(chatId, text);
  return (await tg.waitForMessage(chatId, { match: (m) => m.text !== undefined })).text!;
}

describe('uploading a data set in the chat', () => {
  it('/upload explains what to send, and only to admins', async () => {
    await start();
    const howTo = await ask(ADMIN, '/upload');
    for (const f of DATASET_FILES) expect(howTo).toContain(f);
    expect(howTo).toMatch(/\.zip/);
    expect(howTo).toMatch(/30 мин/);
    expect(await ask(MANAGER, '/upload')).toMatch(/только администраторам/);
  });

  it('four files one by one: says what is missing, then validates, retrains and switches the model', async () => {
    await start();
    const before = (await activeVersion())!;
    const datasetBefore = (await latestDataset())!;
    const sent = { ...files, 'market_file.csv': withBom(files['market_file.csv']) };

    tg.sendDocument(ADMIN, asUserFiles({ 'market_file.csv': sent['market_file.csv'] })[0]);
    const first = (await tg.waitForMessage(ADMIN)).text!;
    expect(first).toMatch(/Получено: market_file\.csv/);
    expect(first).toMatch(/Жду ещё: market_money\.csv, market_time\.csv, money\.csv/);

    for (const name of ['market_money.csv', 'market_time.csv'] as const) {
      tg.sendDocument(ADMIN, { fileName: name, content: sent[name] });
      await tg.waitForMessage(ADMIN);
    }
    tg.sendDocument(ADMIN, { fileName: 'money.csv', content: sent['money.csv'] });
    const progress = await tg.waitForMessage(ADMIN);
    expect(progress.text).toMatch(/Проверяю/);

    const edits = await editsUntil(ADMIN, /Готово/);
    expect(new Set(edits.map((e) => e.params.message_id))).toEqual(new Set([progress.message_id]));
    const kept = n(demo.customers.length);
    const total = n(demo.customersIn);
    expect(String(edits[0].params.text)).toMatch(new RegExp(`Файлы в порядке: ${kept} клиентов из ${total}`));
    expect(String(edits[0].params.text)).toMatch(/Обучаю модель/);

    const done = String(edits.at(-1)!.params.text);
    expect((await activeVersion())).toBeGreaterThan(before);
    expect((await latestDataset())).toBe(datasetBefore + 1);
    expect((await fx.app.store.models.get((await activeVersion())!))!.meta.datasetVersion).toBe(datasetBefore + 1);
    expect(done).toMatch(new RegExp(DATASET_FILES.map((f) => `${f.replace('.', '\\.')} — ${n(demo.rowsIn[f])}`).join(', ')));
    expect(done).toMatch(new RegExp(`${kept} из ${total}`));
    expect(done).toMatch(new RegExp(`было 0,\\d+ \\(модель v${before}\\) → стало 0,\\d+ \\(модель v${(await activeVersion())}`));
    expect(done).toMatch(new RegExp(`Сменили зону риска: \\d+ из ${kept}`));
    expect(await ask(MANAGER, '/model')).toMatch(new RegExp(`Модель v${(await activeVersion())}:`));
  });

  it('an album of Windows-1251 files gets one answer and retrains', async () => {
    await start();
    const before = (await activeVersion())!;
    const cp1251 = Object.fromEntries(DATASET_FILES.map((f) => [f, toCp1251(files[f])]));
    expect(cp1251['market_file.csv'].includes(Buffer.from('Снизилась', 'utf8'))).toBe(false); // really re-encoded
    tg.sendMediaGroup(ADMIN, asUserFiles(cp1251));

    await editsUntil(ADMIN, /Готово/);
    expect((await activeVersion())).toBeGreaterThan(before);
    const texts = tg.sent(ADMIN).map((m) => m.text ?? '');
    expect(texts.filter((t) => /Получено/.test(t))).toEqual([]);
    expect(texts).toHaveLength(1);
  });

  it('one .zip with the four files inside a folder retrains', async () => {
    await start();
    const before = (await activeVersion())!;
    tg.sendDocument(ADMIN, { fileName: 'выгрузка.zip', content: zipOf(files), mimeType: 'application/zip' });
    const done = await editsUntil(ADMIN, /Готово/);
    expect(String(done.at(-1)!.params.text)).toMatch(new RegExp(`market_money\\.csv — ${n(demo.rowsIn['market_money.csv'])}`));
    expect((await activeVersion())).toBeGreaterThan(before);
  });

  it('after a retrain, subscribers get one alert about high-profit customers who entered the high-risk band', async () => {
    await start();
    tg.createChat(MANAGER);
    await fx.app.store.subscribers.subscribe(MANAGER, MANAGER);
    // Subscribed once, no longer on the lists: the alert is checked when it goes out.
    const REMOVED = 777;
    tg.createChat(REMOVED);
    await fx.app.store.subscribers.subscribe(REMOVED, REMOVED);
    try {
      // Fewer pages per visit for the first 300 customers: some valuable ones become high risk.
      const lines = files['market_file.csv'].toString('utf8').split(/\r?\n/);
      const changed = lines.map((l, i) => (i >= 1 && i <= 300 ? l.replace(/,\d+$/, ',1') : l)).join('\n');
      tg.sendDocument(ADMIN, { fileName: 'data.zip', content: zipOf({ ...files, 'market_file.csv': Buffer.from(changed) }) });
      await editsUntil(ADMIN, /Готово/);
      const alert = await tg.waitForMessage(MANAGER, { ...JOB, match: (m) => /После обновления данных/.test(m.text ?? '') });
      expect(alert.text).toMatch(/^⚠️ После обновления данных \d[\d\s]* клиент\S* с высокой прибылью переш\S+ в зону высокого риска\./);
      expect(alert.text!.split('\n').filter((l) => /^\d\. \d+ — было /.test(l)).length).toBeGreaterThan(0);
      expect(alert.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['📋 Все прибыльные под угрозой']);
      await tg.waitUntilProcessed();
      expect(tg.sent(MANAGER).filter((m) => /После обновления данных/.test(m.text ?? ''))).toHaveLength(1);
      expect(tg.sent(REMOVED)).toHaveLength(0);
    } finally {
      await fx.app.store.subscribers.unsubscribe(REMOVED, 'user');
      await fx.app.store.subscribers.unsubscribe(MANAGER, 'user');
    }
  });

  it('a broken file among four changes nothing, lists the first problems, and a fixed re-send completes the set', async () => {
    await start();
    const before = (await activeVersion());
    const datasetBefore = (await latestDataset());
    const answerBefore = await ask(MANAGER, `/risk ${ID}`);

    tg.sendMediaGroup(ADMIN, asUserFiles({ ...files, 'market_money.csv': breakLastColumn(files['market_money.csv'], 15) }));
    const edits = await editsUntil(ADMIN, /ошибки/);
    const report = String(edits.at(-1)!.params.text);
    expect(report).toMatch(/данные не загружены, модель прежняя/);
    expect(report).toMatch(/^market_money\.csv:2: «много» — не число \(столбец «Выручка»\)$/m);
    expect(report.match(/^market_money\.csv:\d+: /gm)).toHaveLength(10);
    expect(report).toMatch(/…и ещё 5 ошибок/);

    expect((await activeVersion())).toBe(before);
    expect((await latestDataset())).toBe(datasetBefore);
    expect(await ask(MANAGER, `/risk ${ID}`)).toBe(answerBefore);

    // The other three files are still staged: the corrected one alone completes the set.
    tg.sendDocument(ADMIN, { fileName: 'market_money.csv', content: files['market_money.csv'] });
    await editsUntil(ADMIN, /Готово/);
    expect((await activeVersion())).toBeGreaterThan(before!);
  });

  it('contacts.csv in an album is imported after the data set is stored; unknown ids are only counted', async () => {
    await start();
    const [a, b] = (await servedIds(fx.app));
    const contacts = Buffer.from(`id;имя;телефон\n${a};Анна Смирнова;+7 912 000-00-01\n999;Кто-то;+7 912 000-00-02\n${b};Борис;\n`, 'utf8');
    tg.sendMediaGroup(ADMIN, asUserFiles({ ...files, 'contacts.csv': contacts }));
    const done = String((await editsUntil(ADMIN, /Готово/)).at(-1)!.params.text);
    expect(done).toMatch(/Контакты сохранены: 2 клиента; всего клиентов с контактами — 2\./);
    expect(done).toMatch(/Пропущено строк: 1 — таких клиентов нет в данных \(contacts\.csv:3\)/);
    expect(await fx.app.store.contacts.get(a)).toMatchObject({ name: 'Анна Смирнова', phone: '+7 912 000-00-01' });
    expect(await ask(MANAGER, `/risk ${a}`)).toMatch(/👤 Анна Смирнова, \+7 912 000-00-01/);
  });

  it('a broken contacts.csv stops the upload like a broken data file: nothing is stored', async () => {
    await start();
    const datasetBefore = (await latestDataset());
    const [a] = (await servedIds(fx.app));
    const contacts = Buffer.from(`id,name,phone\n${a},Анна,12-34\n${a},Анна,+79120000001\n`, 'utf8');
    tg.sendMediaGroup(ADMIN, asUserFiles({ ...files, 'contacts.csv': contacts }));
    const report = String((await editsUntil(ADMIN, /ошибки/)).at(-1)!.params.text);
    expect(report).toMatch(/^contacts\.csv:2: /m);
    expect(report).toMatch(/^contacts\.csv:3: клиент \d+ уже встречался в строке 2$/m);
    expect((await latestDataset())).toBe(datasetBefore);
  });

  it('a training that fails leaves the previous model and data answering', async () => {
    await start({ trainArgs: ['--families', 'no-such-family'] });
    const before = (await activeVersion());
    const answerBefore = await ask(MANAGER, `/risk ${ID}`);
    tg.sendDocument(ADMIN, { fileName: 'data.zip', content: zipOf(files) });
    const edits = await editsUntil(ADMIN, /Не удалось обучить/);
    expect(String(edits.at(-1)!.params.text)).toMatch(new RegExp(`по-прежнему отвечает по модели v${before}\\.`));
    expect((await activeVersion())).toBe(before);
    expect(await ask(MANAGER, `/risk ${ID}`)).toBe(answerBefore);
  });

  it('shutting down during training stops it, keeps the previous model and tells the chat', async () => {
    await start({ trainArgs: [] }); // the full search: long enough to be interrupted
    const before = (await activeVersion());
    tg.sendDocument(ADMIN, { fileName: 'data.zip', content: zipOf(files) });
    await editsUntil(ADMIN, /Обучаю модель/);
    await uploads!.shutdown();
    expect(tg.sent(ADMIN).at(-1)!.text).toMatch(/обучение прервано/);
    expect((await activeVersion())).toBe(before);
  });

  it('a manager who is not an admin is refused once per album, and nothing is downloaded', async () => {
    await start();
    tg.sendMediaGroup(MANAGER, asUserFiles(files));
    expect((await tg.waitForMessage(MANAGER)).text).toMatch(/только администраторы/);
    await tg.waitUntilProcessed();
    expect(tg.sent(MANAGER)).toHaveLength(1);
    expect(tg.calls.filter((c) => c.method === 'getFile')).toEqual([]);
  });

  it('a file over 20 MB is refused before it is downloaded', async () => {
    await start();
    tg.sendDocument(ADMIN, { fileName: 'market_file.csv', content: Buffer.from('id\n1\n') }, {
      document: { file_id: 'big-file', file_unique_id: 'big', file_name: 'market_file.csv', file_size: 25 * 1024 * 1024 },
    });
    const m = await tg.waitForMessage(ADMIN);
    expect(m.text).toMatch(/слишком большой \(25 МБ\)/);
    expect(m.text).toMatch(/20 МБ/);
    expect(tg.calls.filter((c) => c.method === 'getFile')).toEqual([]);
  });

  it('binary content, a spreadsheet and an unknown name are refused with a reason', async () => {
    await start();
    tg.sendDocument(ADMIN, { fileName: 'market_file.csv', content: Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0xff, 0x00, 0x13]) });
    expect((await tg.waitForMessage(ADMIN)).text).toMatch(/«market_file\.csv» не похож на CSV/);
    tg.sendDocument(ADMIN, { fileName: 'Клиенты.xlsx', content: Buffer.from('PK\u0003\u0004') });
    expect((await tg.waitForMessage(ADMIN)).text).toMatch(/«Клиенты\.xlsx» не подходит.*CSV/);
    tg.sendDocument(ADMIN, { fileName: 'orders.csv', content: Buffer.from('id,x\n1,2\n') });
    expect((await tg.waitForMessage(ADMIN)).text).toMatch(/Не знаю, что за файл «orders\.csv»/);
    await tg.waitUntilProcessed();
    expect(tg.sent(ADMIN).some((m) => /Получено/.test(m.text ?? ''))).toBe(false);
  });

  it('a stale upload times out: files older than the timeout are forgotten', async () => {
    const clock = { now: 1_000_000 };
    await start({ now: () => clock.now });
    tg.sendDocument(ADMIN, { fileName: 'market_file.csv', content: files['market_file.csv'] });
    expect((await tg.waitForMessage(ADMIN)).text).toMatch(/Жду ещё: market_money\.csv, market_time\.csv, money\.csv/);

    clock.now += 31 * 60_000;
    tg.sendDocument(ADMIN, { fileName: 'money.csv', content: files['money.csv'] });
    expect((await tg.waitForMessage(ADMIN)).text).toMatch(/Прошлая загрузка устарела/);
    const status = (await tg.waitForMessage(ADMIN)).text!;
    expect(status).toMatch(/Получено: money\.csv\./);
    expect(status).toMatch(/Жду ещё: market_file\.csv, market_money\.csv, market_time\.csv/);
  });

  it('the audit log records who asked what, without secrets', async () => {
    await start();
    await ask(MANAGER, `/risk ${ID}`);
    tg.sendText(MANAGER, '/segment');
    const kb = await tg.waitForMessage(MANAGER, { match: (m) => m.reply_markup !== undefined });
    tg.pressButton(MANAGER, kb, 'Прибыльные под угрозой');
    await tg.waitForMessage(MANAGER, { match: (m) => /Прибыльные под угрозой —/.test(m.text ?? '') });
    // Built at run time so no token-shaped literal sits in the repository.
    const tokenLike = `${'9'.repeat(9)}:${'x'.repeat(35)}`;
    expect(await ask(MANAGER, `/risk ${tokenLike}`)).toMatch(/не похоже на номер/);
    tg.sendDocument(ADMIN, { fileName: 'orders.csv', content: Buffer.from('x') });
    await tg.waitForMessage(ADMIN);

    const log = await fx.app.store.audit.recent(10);
    const actions = log.map((e) => `${e.userId}/${e.chatId} ${e.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        `${MANAGER}/${MANAGER} /risk ${ID}`,
        `${MANAGER}/${MANAGER} /segment`,
        `${MANAGER}/${MANAGER} callback s:profitable`,
        `${MANAGER}/${MANAGER} /risk <token>`,
        `${ADMIN}/${ADMIN} upload orders.csv (1 B)`,
      ]),
    );
    expect(JSON.stringify(log)).not.toMatch(/secret-token/);
    expect(log[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(log[0].action).toBe('upload orders.csv (1 B)'); // newest first
  });
});
