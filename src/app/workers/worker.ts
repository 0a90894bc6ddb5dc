/**
 * One worker thread of the pool: its own app on the same SQLite file (WAL: readers never wait
 * for the bot, and the bot's reads never wait for it), answering tasks from pool.ts. Everything
 * here runs in place: a worker never starts workers of its own.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config.ts';
import { periodFromKey } from '../../core/digest/period.ts';
import type { Logger } from '../../core/ports.ts';
import { drawn, type CallbackData, type Outgoing } from '../../core/reply.ts';
import type { ChatUser } from '../../features/feature.ts';
import { inProcessWork } from '../../core/work.ts';
import { segmentSettingsOf } from '../../core/segments.ts';
import { checkpoint } from '../../data/index.ts';
import { LocalChartRenderer } from '../charts/localRenderer.ts';
import { prerenderChunk } from '../charts/prerender.ts';
import { chartFromSource } from '../charts/source.ts';
import { warmCharts } from '../charts/warm.ts';
import { serializeError } from './errors.ts';
import { transferables, type Tasks, type TaskName } from './tasks.ts';

const port = parentPort!;
const { config, nice } = workerData as { config: Config; nice: number };

// Below the answering thread: on a small machine a burst of charts must not take the event loop's core
// (Linux applies a nice value per thread; elsewhere, or when not permitted, the worker runs as it is).
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
} catch {
  // not Linux, or not permitted
}

const log: Logger = {
  info: (msg, fields) => port.postMessage({ type: 'log', level: 'info', msg, fields }),
  warn: (msg, fields) => port.postMessage({ type: 'log', level: 'warn', msg, fields }),
  error: (msg, fields) => port.postMessage({ type: 'log', level: 'error', msg, fields }),
};

// The app is imported lazily: a worker that only renders never loads the CSV parsers or telegraf.
type WorkerApp = import('../types.ts').App;
let app: Promise<WorkerApp> | null = null;
const appHere = () => (app ??= import('../app.ts').then((m) => m.buildApp(config, log)));
let work: ReturnType<typeof inProcessWork> | null = null;
const workHere = async () => (work ??= inProcessWork((await appHere()).store));
const renderer = new LocalChartRenderer();

type Handlers = { [K in TaskName]: (payload: Tasks[K]['payload'], signal: AbortSignal) => Promise<Tasks[K]['result']> };

const handlers: Handlers = {
  async warm() {
    const a = await appHere();
    // The first explanation in a thread loads the served model and compiles the explainer: paid
    // here, not by the first answer that needs one (the week's plan explains its whole pool).
    const version = await a.store.models.activeVersion();
    const meta = version === null ? null : await a.store.models.meta(version);
    const [id] = meta ? await a.store.datasets.nearestIds(meta.datasetVersion, 0, 1) : [];
    if (version !== null && id !== undefined) await (await workHere()).explain(version, [id], { every: true });
    return null;
  },
  async checkpoint() {
    checkpoint((await appHere()).store);
    return null;
  },
  async render({ source, size }) {
    return renderer.render(chartFromSource(source), size);
  },
  async prerender(chunk, signal) {
    const a = await appHere();
    return prerenderChunk({ store: a.store, assistant: a.assistant, charts: a.charts, units: a.config.units, segments: segmentSettingsOf(a.config) }, chunk, signal);
  },
  async feature(call) {
    const feature = (await appHere()).features.find((f) => f.command === call.command);
    if (!feature) throw new Error(`no feature /${call.command}`);
    // Only bytes cross to the main thread: a later photo is drawn here.
    if ('args' in call) return drawn(await feature.run(call.user, call.args));
    const handler = feature.callbacks?.[call.callback.kind] as ((u: ChatUser, d: CallbackData) => Promise<Outgoing[]>) | undefined;
    if (!handler) throw new Error(`/${call.command} has no ${call.callback.kind} button`);
    return drawn(await handler(call.user, call.callback));
  },
  async segments({ modelVersion, settings }) {
    await (await workHere()).buildSegments(modelVersion, settings);
    return null;
  },
  async explain({ modelVersion, ids, every }) {
    return (await workHere()).explain(modelVersion, ids, { every });
  },
  async deliverDigest({ period, trigger, force }, signal) {
    return (await digestHere()).deliver(periodFromKey(period), { trigger, force, signal });
  },
};

/** One runner per worker, so runs it is given queue behind each other as in the main thread. */
let digest: Promise<{ deliver: import('../../core/digest/runner.ts').DigestRunner['deliver'] }> | null = null;
const digestHere = () =>
  (digest ??= Promise.all([appHere(), import('../digest.ts'), import('../../bot/digest.ts')]).then(([a, d, bot]) =>
    d.digestRunner(a, bot.telegramDigestTransport(d.botApiClient(config, log))),
  ));

const running = new Map<number, AbortController>();

port.on('message', async (m: { type: 'task'; id: number; task: TaskName; payload: never } | { type: 'abort'; id: number }) => {
  if (m.type === 'abort') return running.get(m.id)?.abort();
  const abort = new AbortController();
  running.set(m.id, abort);
  try {
    const result = await handlers[m.task](m.payload, abort.signal);
    port.postMessage({ type: 'result', id: m.id, ok: true, result }, transferables(result));
  } catch (err) {
    port.postMessage({ type: 'result', id: m.id, ok: false, error: serializeError(err) });
  } finally {
    running.delete(m.id);
  }
});

// Chart.js, the fonts, the canvas and every chart kind are ready before the first chart is asked for.
await warmCharts(renderer);
port.postMessage({ type: 'ready' });
