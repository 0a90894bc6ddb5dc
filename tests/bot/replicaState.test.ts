/**
 * Replicas that share one store, on either engine: two `retention bot` processes behind a
 * round-robin balancer answer each update once, share the pending question, the files of an upload
 * and the rate limit, and send each week's digest to each chat once. On PostgreSQL the store is a
 * throwaway cluster started for the file (skipped, with one line, where the binaries are missing).
 */
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { currentPeriod } from '../../src/app/digest.ts';
import { DEMO_DIR, servedIds } from '../support/appFixture.ts';
import { readDataset, zipOf } from '../support/datasetFiles.ts';
import { REPLICA_SECRET, WEBHOOK_PATH, describeOnEachStore, postUpdate, startReplicas, textUpdate } from '../support/replicas.ts';

const MANAGER = 200;
const ADMIN = 300;
const ADMIN_2 = 301;
/** Chats no other test writes from: their request counts and subscriptions start empty. */
const BUSY = 201;
const READER = 202;

describeOnEachStore((engine) => `replicas on one ${engine} store`, (s) => {
  // Every emulator numbers its updates from 1: forget the claims of the previous test.
  beforeEach(() => s.fx.app.store.updateClaims.prune('9999-12-31T00:00:00.000Z'));

  const start = (env: Record<string, string> = {}, chats: number[] = [MANAGER]) =>
    startReplicas(2, {
      chats,
      env: {
        RETENTION_DB: s.fx.app.config.dbPath,
        CHART_OUT_DIR: join(s.fx.dir, 'charts'),
        ALLOWED_USER_IDS: [MANAGER, BUSY, READER].join(','),
        ADMIN_USER_IDS: [ADMIN, ADMIN_2].join(','),
        TRAIN_FAMILIES: 'logistic', // a training of a few seconds, not a minute
        ...env,
      },
    });

  /** Which replica the balancer gave each forwarded update, in order. */
  const backends = () => s.set!.proxy.forwarded.map((f) => s.set!.origins.indexOf(f.backend));
  const quiet = () => new Promise((r) => setTimeout(r, 300)); // a further answer would have landed by now

  // First: every later start catches up this week too, and a week is sent only once.
  it('a digest week with both replicas up: both catch up at start, the chat gets the digest once', async () => {
    await s.fx.app.store.subscribers.subscribe(READER, READER);
    // Monday 00:00: whenever the test runs, this week's slot has passed, so each replica catches up at start.
    s.set = await start({ DIGEST_CRON: '0 0 * * 1' }, [READER]);
    const period = currentPeriod(s.fx.app.config).key;
    for (let i = 0; i < 200 && !(await s.fx.app.store.digests.get(period))?.finishedAt; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await s.fx.app.store.digests.get(period))?.finishedAt).toBeTruthy();
    await quiet();
    const digests = s.set.tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === READER && /Сводка по риску/.test(String(c.params.text)));
    expect(digests).toHaveLength(1);
    expect((await s.fx.app.store.digests.deliveries(period)).filter((d) => d.chatId === READER).map((d) => d.status)).toEqual(['sent']);
  });
  it('an update delivered to both replicas is answered once; a wrong secret gets 401 and nothing', async () => {
    s.set = await start();
    const statuses = await Promise.all(s.set.origins.map((o) => postUpdate(o + WEBHOOK_PATH, textUpdate(9000, MANAGER, '/help'), REPLICA_SECRET)));
    expect(statuses).toEqual([200, 200]);
    expect(await postUpdate(s.set.origins[0] + WEBHOOK_PATH, textUpdate(9001, MANAGER, '/start'), 'wrong-secret')).toBe(401);
    await s.set.tg.waitForMessage(MANAGER);
    await quiet();
    expect(s.set.tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === MANAGER)).toHaveLength(1);
  });

  it('«/risk», then the answer: the question is asked by one replica and the answer read by the other', async () => {
    s.set = await start();
    s.set.tg.sendText(MANAGER, '/risk');
    expect((await s.set.tg.waitForMessage(MANAGER)).text).toMatch(/Пришлите номер клиента/);
    // Text that means nothing on its own: only the pending question makes it an answer to /risk.
    s.set.tg.sendText(MANAGER, 'не помню');
    expect((await s.set.tg.waitForMessage(MANAGER)).text).toMatch(/«не помню» не похоже на номер клиента/);
    s.set.tg.sendText(MANAGER, '/risk');
    await s.set.tg.waitForMessage(MANAGER);
    const id = (await servedIds(s.fx.app))[0];
    s.set.tg.sendText(MANAGER, String(id));
    expect((await s.set.tg.waitForMessage(MANAGER)).text).toContain(`Клиент ${id}`);
    expect(backends()).toEqual([0, 1, 0, 1]);
  });

  it('an upload whose files reach different replicas is collected as one, and its retrain starts once', async () => {
    s.set = await start();
    const files = readDataset(DEMO_DIR);
    const names = Object.keys(files) as (keyof typeof files)[];
    for (const name of names.slice(0, 3)) {
      s.set.tg.sendDocument(ADMIN, { fileName: name, content: files[name] });
      await s.set.tg.waitForMessage(ADMIN);
    }
    const received = s.set.tg.sent(ADMIN).map((m) => m.text ?? '');
    // The third file's answer, from whichever replica got it, lists all three and waits for the fourth.
    expect(received.at(-1)).toContain(`Получено: ${names.slice(0, 3).join(', ')}`);
    expect(received.at(-1)).toContain(`Жду ещё: ${names[3]}`);
    expect(new Set(backends())).toEqual(new Set([0, 1]));

    s.set.tg.sendDocument(ADMIN, { fileName: names[3], content: files[names[3]] });
    await s.set.tg.waitForMessage(ADMIN, { match: (m) => /Проверяю файлы/.test(m.text ?? '') });
    await s.set.tg.waitUntilProcessed();
    // Its training finishes before the replicas are killed, so no dead holder keeps the retrain lease.
    await s.set.tg.waitForCall((c) => c.method === 'editMessageText' && c.params.chat_id === ADMIN && /Готово/.test(String(c.params.text)), {
      timeoutMs: 60_000,
    });
    await quiet();
    // The progress message is edited as the job goes on: count the messages that started one.
    const started = s.set.tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === ADMIN && /Проверяю файлы/.test(String(c.params.text)));
    expect(started).toHaveLength(1);
  });

  it('the rate limit counts a chat’s requests on every replica together', async () => {
    s.set = await start({ RATE_LIMIT_PER_MINUTE: '2' });
    for (const t of ['/start', '/help', '/start', '/help']) s.set.tg.sendText(BUSY, t);
    for (let i = 0; i < 3; i++) await s.set.tg.waitForMessage(BUSY);
    await s.set.tg.waitUntilProcessed();
    await quiet();
    const texts = s.set.tg.sent(BUSY).map((m) => m.text ?? '');
    expect(texts.filter((t) => /Слишком много запросов/.test(t))).toHaveLength(1);
    expect(texts).toHaveLength(3);
    expect(new Set(backends())).toEqual(new Set([0, 1]));
  });

  it('two uploads completed on different replicas at once train one after the other, and the later data set ends active', async () => {
    s.set = await start();
    const store = s.fx.app.store;
    const before = (await store.datasets.latest())!.version;
    const zip = zipOf(readDataset(DEMO_DIR));
    s.set.tg.sendDocument(ADMIN, { fileName: 'a.zip', content: zip, mimeType: 'application/zip' });
    s.set.tg.sendDocument(ADMIN_2, { fileName: 'b.zip', content: zip, mimeType: 'application/zip' });
    const edits = (chat: number, text: RegExp) => (c: { method: string; params: Record<string, unknown> }) =>
      c.method === 'editMessageText' && c.params.chat_id === chat && text.test(String(c.params.text));
    await Promise.all([ADMIN, ADMIN_2].map((chat) => s.set!.tg.waitForCall(edits(chat, /Готово/), { timeoutMs: 120_000 })));
    expect(backends()).toEqual([0, 1]);

    const [first, second, ...more] = (await store.datasets.list()).filter((d) => d.version > before);
    expect(more).toEqual([]);
    const models = (await store.models.list()).filter((m) => m.datasetVersion > before);
    expect(models.map((m) => m.datasetVersion)).toEqual([first.version, second.version]);
    // Stored under the lease: the second data set only after the first training had saved its model.
    expect(second.createdAt > models[0].createdAt).toBe(true);
    expect((await store.models.meta((await store.models.activeVersion())!))!.datasetVersion).toBe(second.version);
    // The upload that waited said so in its progress message.
    const queued = [ADMIN, ADMIN_2].filter((chat) => s.set!.tg.calls.some(edits(chat, /Жду, пока закончится другое обновление/)));
    expect(queued).toHaveLength(1);
  }, 150_000);

  it('two updates of one chat on different replicas at once are answered in update order, the slow first one first', async () => {
    s.set = await start();
    // The first answer takes 1.5 s to reach Telegram; the second update arrives meanwhile, at the other replica.
    s.set.tg.failNext('sendMessage', { delayMs: 1500, match: (p) => p.chat_id === MANAGER && /^Здравствуйте/.test(String(p.text)) });
    s.set.tg.sendText(MANAGER, '/start');
    s.set.tg.sendText(MANAGER, '/help');
    await s.set.tg.waitForMessage(MANAGER);
    await s.set.tg.waitForMessage(MANAGER);
    await quiet();
    expect(s.set.tg.sent(MANAGER).map((m) => (m.text ?? '').split('\n')[0])).toEqual([
      expect.stringMatching(/^Здравствуйте/),
      'Команды:',
    ]);
    expect(backends()).toEqual([0, 1]);
    // Both acknowledged at once: the wait is in the chat's queue, after the 200.
    const [a, b] = s.set.tg.webhookAttempts;
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.at - a.at).toBeLessThan(1000);
  });
});
