/**
 * The Bot API emulator in its own process, driven over IPC by the benchmarks: the bot being
 * measured keeps its event loop and CPU to itself, as it would against the real Telegram, and the
 * emulator's own work (parsing a 10 MB multipart upload) never shows up as the bot's delay.
 *
 * Parent → child: { type: 'texts', items: [{ chat, text, delayMs? }] }, { type: 'close' }. A delayed
 * message is queued by this process's timer, so it arrives on time even while the bot's event loop
 * is blocked. Child → parent: { type: 'ready', token, apiRoot }, { type: 'events', events: [...] }
 * with { type: 'pushed', chat, at }, { type: 'getUpdates', at } (the first poll only) and
 * { type: 'sent', method, chat, at, ok, upload, bytes }. Times are
 * `performance.timeOrigin + performance.now()` of this process (ms since the epoch).
 *
 * Both directions batch what one turn of the event loop produced: the bot's process reads every
 * IPC message on its own event loop, the one being measured, and fifty messages a burst would
 * cost it more than the one message that carries them.
 */
import { startEmulator, type ApiCall } from '../../tests/support/telegramEmulator.ts';

const clock = () => performance.timeOrigin + performance.now();
let batch: object[] = [];
const post = (m: object) => {
  if (batch.push(m) === 1) {
    setImmediate(() => {
      process.send?.({ type: 'events', events: batch });
      batch = [];
    });
  }
};

// Measures the bot, not Telegram's flood limits.
const tg = await startEmulator({ floodLimits: false });
let polled = false;
const em = tg as unknown as { settle(call: ApiCall, outcome: object): void; calls: ApiCall[] };
const settle = em.settle.bind(tg);
em.settle = (call, outcome) => {
  settle(call, outcome);
  if (call.method.startsWith('send')) {
    const files = Object.values(call.files);
    post({
      type: 'sent',
      method: call.method,
      chat: Number(call.params.chat_id),
      at: clock(),
      ok: call.ok === true,
      upload: files.length > 0,
      bytes: files.reduce((s, f) => s + f.content.length, 0),
    });
  }
  // Keep memory flat over long runs: nothing reads old calls here.
  if (em.calls.length > 1000) em.calls.splice(0, em.calls.length - 100);
};
const push = em.calls.push.bind(em.calls);
em.calls.push = (...calls: ApiCall[]) => {
  if (!polled && calls.some((c) => c.method === 'getUpdates')) {
    polled = true;
    post({ type: 'getUpdates', at: clock() });
  }
  return push(...calls);
};

process.on('message', (m: { type: string; items?: { chat: number; text: string; delayMs?: number }[] }) => {
  if (m.type === 'texts') {
    for (const item of m.items!) {
      setTimeout(() => {
        tg.sendText(item.chat, item.text);
        post({ type: 'pushed', chat: item.chat, at: clock() });
      }, item.delayMs ?? 0);
    }
  } else if (m.type === 'close') {
    void tg.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => void tg.close().then(() => process.exit(0)));
process.send?.({ type: 'ready', token: tg.token, apiRoot: tg.apiRoot });
