/**
 * What one replica learns from an update, the next replica knows: two `retention bot` processes
 * behind a round-robin balancer share the pending question, the files of an upload and the rate
 * limit through the store, so consecutive updates of one chat may land on either.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { DEMO_DIR, servedIds, trainedApp, type Fixture } from '../support/appFixture.ts';
import { readDataset } from '../support/datasetFiles.ts';
import { startReplicas, type ReplicaSet } from '../support/replicas.ts';

const MANAGER = 200;
const ADMIN = 300;
/** A chat no other test writes from: its request count starts at zero. */
const BUSY = 201;

let fx: Fixture;
let set: ReplicaSet | undefined;

beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(async () => await fx?.dispose());
beforeEach(() => fx.app.store.updateClaims.prune('9999-12-31T00:00:00.000Z'));
afterEach(async () => {
  await set?.close();
  set = undefined;
});

const start = (env: Record<string, string> = {}) =>
  startReplicas(2, {
    env: {
      RETENTION_DB: fx.app.config.dbPath,
      CHART_OUT_DIR: join(fx.dir, 'charts'),
      ALLOWED_USER_IDS: `${MANAGER},${BUSY}`,
      ADMIN_USER_IDS: String(ADMIN),
      ...env,
    },
  });

/** Which replica the balancer gave each forwarded update, in order. */
const backends = () => set!.proxy.forwarded.map((f) => set!.origins.indexOf(f.backend));

it('«/risk», then the answer: the question is asked by one replica and the answer read by the other', async () => {
  set = await start();
  set.tg.sendText(MANAGER, '/risk');
  expect((await set.tg.waitForMessage(MANAGER)).text).toMatch(/Пришлите номер клиента/);
  // Text that means nothing on its own: only the pending question makes it an answer to /risk.
  set.tg.sendText(MANAGER, 'не помню');
  expect((await set.tg.waitForMessage(MANAGER)).text).toMatch(/«не помню» не похоже на номер клиента/);
  set.tg.sendText(MANAGER, '/risk');
  await set.tg.waitForMessage(MANAGER);
  const id = (await servedIds(fx.app))[0];
  set.tg.sendText(MANAGER, String(id));
  expect((await set.tg.waitForMessage(MANAGER)).text).toContain(`Клиент ${id}`);
  expect(backends()).toEqual([0, 1, 0, 1]);
});

it('an upload whose files reach different replicas is collected as one, and its retrain starts once', async () => {
  set = await start();
  const files = readDataset(DEMO_DIR);
  const names = Object.keys(files) as (keyof typeof files)[];
  for (const name of names.slice(0, 3)) {
    set.tg.sendDocument(ADMIN, { fileName: name, content: files[name] });
    await set.tg.waitForMessage(ADMIN);
  }
  const received = set.tg.sent(ADMIN).map((m) => m.text ?? '');
  // The third file's answer, from whichever replica got it, lists all three and waits for the fourth.
  expect(received.at(-1)).toContain(`Получено: ${names.slice(0, 3).join(', ')}`);
  expect(received.at(-1)).toContain(`Жду ещё: ${names[3]}`);
  expect(new Set(backends())).toEqual(new Set([0, 1]));

  set.tg.sendDocument(ADMIN, { fileName: names[3], content: files[names[3]] });
  await set.tg.waitForMessage(ADMIN, { match: (m) => /Проверяю файлы/.test(m.text ?? '') });
  await set.tg.waitUntilProcessed();
  await new Promise((r) => setTimeout(r, 300)); // a second job's first message would be out by now
  // The progress message is edited as the job goes on: count the messages that started one.
  const started = set.tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === ADMIN && /Проверяю файлы/.test(String(c.params.text)));
  expect(started).toHaveLength(1);
});

it('the rate limit counts a chat’s requests on every replica together', async () => {
  set = await start({ RATE_LIMIT_PER_MINUTE: '2' });
  for (const t of ['/start', '/help', '/start', '/help']) set.tg.sendText(BUSY, t);
  for (let i = 0; i < 3; i++) await set.tg.waitForMessage(BUSY);
  await set.tg.waitUntilProcessed();
  await new Promise((r) => setTimeout(r, 300));
  const texts = set.tg.sent(BUSY).map((m) => m.text ?? '');
  expect(texts.filter((t) => /Слишком много запросов/.test(t))).toHaveLength(1);
  expect(texts).toHaveLength(3);
  expect(new Set(backends())).toEqual(new Set([0, 1]));
});
