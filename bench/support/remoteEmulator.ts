/** The parent side of emulatorChild.ts: start it, send users' messages, await the bot's answers. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SentCall {
  method: string;
  chat: number;
  /** Emulator clock, ms since the epoch. */
  at: number;
  ok: boolean;
  /** True when the bot uploaded bytes, false when it referred to a file_id. */
  upload: boolean;
  bytes: number;
}

export interface RemoteEmulator {
  token: string;
  apiRoot: string;
  /** Resolves with the emulator-clock time the update was queued (`delayMs` later, by the emulator's clock). */
  send(chat: number, text: string, delayMs?: number): Promise<number>;
  /** The next answer of `method` (any send* when omitted) to `chat`, counted from now. */
  answer(chat: number, method?: string): Promise<SentCall>;
  /** Emulator-clock time of the bot's first getUpdates. */
  readonly firstPoll: Promise<number>;
  /** Every send* call so far. */
  readonly sent: SentCall[];
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./emulatorChild.ts', import.meta.url));

export async function startRemoteEmulator(): Promise<RemoteEmulator> {
  const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const sent: SentCall[] = [];
  const waiters: { chat: number; method?: string; resolve(c: SentCall): void }[] = [];
  const pushes = new Map<number, ((at: number) => void)[]>();
  let resolvePoll!: (at: number) => void;
  const firstPoll = new Promise<number>((r) => (resolvePoll = r));
  const ready = new Promise<{ token: string; apiRoot: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    const event = (m: { type: string } & Record<string, unknown>) => {
      if (m.type === 'getUpdates') resolvePoll(m.at as number);
      else if (m.type === 'pushed') pushes.get(m.chat as number)?.shift()?.(m.at as number);
      else if (m.type === 'sent') {
        const call = m as unknown as SentCall;
        sent.push(call);
        const i = waiters.findIndex((w) => w.chat === call.chat && (!w.method || w.method === call.method));
        if (i >= 0) waiters.splice(i, 1)[0].resolve(call);
      }
    };
    child.on('message', (m: { type: string; events?: ({ type: string } & Record<string, unknown>)[] } & Record<string, unknown>) => {
      if (m.type === 'ready') resolve(m as unknown as { token: string; apiRoot: string });
      else if (m.type === 'events') for (const e of m.events!) event(e);
    });
  });
  const { token, apiRoot } = await ready;
  // One IPC message per turn of this event loop (the bot's), as the child batches its events.
  let texts: { chat: number; text: string; delayMs: number }[] = [];
  const queueText = (item: { chat: number; text: string; delayMs: number }) => {
    if (texts.push(item) === 1) {
      setImmediate(() => {
        child.send({ type: 'texts', items: texts });
        texts = [];
      });
    }
  };
  return {
    token,
    apiRoot,
    firstPoll,
    sent,
    send(chat, text, delayMs = 0) {
      return new Promise((resolve) => {
        const list = pushes.get(chat) ?? [];
        list.push(resolve);
        pushes.set(chat, list);
        queueText({ chat, text, delayMs });
      });
    },
    answer(chat, method) {
      return new Promise((resolve) => waiters.push({ chat, method, resolve }));
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'close' });
      await exited;
    },
  };
}
