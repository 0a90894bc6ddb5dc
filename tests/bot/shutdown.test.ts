/**
 * `retention bot` as a real process against the Bot API emulator: a SIGTERM while a reply is
 * still on its way must let that reply finish, confirm the update offset, close the database
 * and exit with 0.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { startBotProcess as startBot, type BotProcess } from '../support/botProcess.ts';
import { startEmulator, type TelegramEmulator } from '../support/telegramEmulator.ts';

const MANAGER = 200;
const TOKEN = `987654321:AAH${'s3cret'.repeat(6)}`;

let fx: Fixture;
let tg: TelegramEmulator;
let child: ChildProcess | undefined;

beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(async () => await fx?.dispose());
afterEach(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await tg?.close();
});

/** `retention bot` on the fixture's store, polling this test's emulator. */
function startBotProcess(env: Record<string, string> = {}): BotProcess {
  const bot = startBot({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: tg.apiRoot,
    RETENTION_DB: fx.app.config.dbPath,
    CHART_OUT_DIR: join(fx.dir, 'charts'),
    ALLOWED_USER_IDS: String(MANAGER),
    ...env,
  });
  child = bot.proc;
  return bot;
}

it('refuses to start with both user lists empty, in one line naming them, before any Bot API call', async () => {
  tg = await startEmulator({ token: TOKEN });
  const { out, exit } = startBotProcess({ ALLOWED_USER_IDS: '', ADMIN_USER_IDS: ' ' });
  expect(await exit).not.toBe(0);
  const lines = out.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/ALLOWED_USER_IDS.*ADMIN_USER_IDS/);
  expect(tg.calls).toHaveLength(0);
});

it('a polling failure (409 from a second instance) runs the clean shutdown and exits non-zero with one clear line', async () => {
  tg = await startEmulator({ token: TOKEN });
  const { out, exit, until } = startBotProcess();
  await until('polling', () => tg.calls.some((c) => c.method === 'getUpdates'));
  tg.failNext('getUpdates', { status: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
  tg.sendText(MANAGER, '/start'); // ends the long poll in progress, so the next one meets the 409
  expect(await exit).not.toBe(0);
  expect(out.stderr).toMatch(/"msg":"polling failed, shutting down"/);
  expect(out.stderr).toMatch(/"msg":"bot stopped"/);
  expect(out.stderr.trim().split('\n').at(-1)).toMatch(/^Ошибка: polling stopped: 409: Conflict/);
});

it('a 500 on the command menu is retried in the background; the bot answers meanwhile', async () => {
  tg = await startEmulator({ token: TOKEN });
  tg.failNext('setMyCommands', { status: 500 }, 1);
  const { exited, until } = startBotProcess();
  await until('polling', () => tg.calls.some((c) => c.method === 'getUpdates'));
  tg.sendText(MANAGER, '/start');
  const reply = await tg.waitForMessage(MANAGER);
  expect(reply.text).toMatch(/Здравствуйте/);
  await until('the menu', () => tg.calls.some((c) => c.method === 'setMyCommands' && c.ok));
  expect(exited()).toBe(false);
});

it('SIGTERM finishes the reply in flight, confirms the update and exits with 0', async () => {
  tg = await startEmulator({ token: TOKEN });
  const { proc, out, exit, until } = startBotProcess();

  await until('polling', () => tg.calls.some((c) => c.method === 'getUpdates'));
  tg.failNext('sendMessage', { delayMs: 1000 }); // the reply is still in flight when the signal arrives
  tg.sendText(MANAGER, '/start');
  await until('replying', () => tg.calls.some((c) => c.method === 'sendMessage'));
  proc.kill('SIGTERM');

  expect(await exit).toBe(0);
  const reply = tg.calls.find((c) => c.method === 'sendMessage')!;
  expect(reply.ok).toBe(true);
  expect((reply.result as { text: string }).text).toMatch(/Здравствуйте/);
  expect(tg.pendingUpdates).toBe(0); // confirmed: a restarted bot will not answer it again
  expect(out.stderr).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
  expect(out.stderr).toMatch(/"msg":"bot stopped"/);
  expect(out.stderr).not.toContain('s3cret');
  expect((await fx.app.store.audit.recent(1))[0]).toMatchObject({ userId: MANAGER, action: '/start' });
});
