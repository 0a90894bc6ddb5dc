/**
 * A small pool of worker threads for work that must not run on the bot's event loop: PNG
 * rendering, large exports, the digest's composition, explanations and segment builds (see
 * worker.ts for the tasks). Tasks queue FIFO and go to the first idle worker; a worker that dies
 * fails only its own task and is replaced.
 *
 * The workers run TypeScript sources like the CLI does: worker.mjs registers tsx, then imports
 * worker.ts (a worker does not inherit the parent's loader hooks).
 */
import { Worker } from 'node:worker_threads';
import { deserializeError, type SerializedError } from './errors.ts';

export interface PoolLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

interface Task {
  id: number;
  task: string;
  payload: unknown;
  signal?: AbortSignal;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: Task | null;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> };

const ENTRY = new URL('./worker.mjs', import.meta.url);

export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private respawns = 0;

  constructor(
    private readonly size: number,
    /** Cloned into every worker (worker.ts reads it). */
    private readonly workerData: unknown,
    private readonly log?: PoolLogger,
  ) {}

  /** Spawns the workers; they boot (seconds with tsx) while the caller goes on. */
  start(): void {
    for (let i = this.slots.size; i < this.size; i++) this.spawn();
  }

  /** Whether some worker has booted: until then callers may prefer doing small work in place. */
  get ready(): boolean {
    for (const s of this.slots) if (s.ready) return true;
    return false;
  }

  private get allReady(): boolean {
    if (this.slots.size < this.size) return false;
    for (const s of this.slots) if (!s.ready) return false;
    return true;
  }

  /** Resolves once a worker has booted — every worker, with `all` — or the pool closed. */
  whenReady(all = false): Promise<void> {
    const done = () => this.closed || (all ? this.allReady : this.ready);
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = setInterval(() => {
        if (done()) {
          clearInterval(check);
          resolve();
        }
      }, 20);
      check.unref();
    });
  }

  /**
   * Queues a task. An abort before it starts takes it off the queue (rejecting with the signal's
   * reason); once started, the worker's task sees its own signal abort and decides how to stop.
   */
  run<T>(task: string, payload: unknown, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.slots.size === 0) this.start();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const queued = this.queue.indexOf(t);
        if (queued >= 0) {
          this.queue.splice(queued, 1);
          t.reject(signal!.reason);
          return;
        }
        for (const slot of this.slots) if (slot.busy === t) slot.worker.postMessage({ type: 'abort', id: t.id });
      };
      // A long-lived signal (the app's own, across many tasks) must not collect one listener per task.
      const settling =
        <A>(settle: (a: A) => void) =>
        (a: A) => {
          signal?.removeEventListener('abort', onAbort);
          settle(a);
        };
      const t: Task = { id: this.nextId++, task, payload, signal, resolve: settling(resolve as (v: unknown) => void), reject: settling(reject) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(t);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('worker pool closed'));
    await Promise.all(
      [...this.slots].map((s) => {
        s.busy?.reject(new Error('worker pool closed'));
        s.busy = null;
        return s.worker.terminate();
      }),
    );
    this.slots.clear();
  }

  private spawn(): void {
    const worker = new Worker(ENTRY, { workerData: this.workerData, stdout: false, stderr: false });
    const slot: Slot = { worker, ready: false, busy: null };
    this.slots.add(slot);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (err) => this.log?.error('worker failed', { error: err.message }));
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'log') {
      this.log?.[m.level](m.msg, { ...m.fields, worker: slot.worker.threadId });
      return;
    }
    if (m.type === 'ready') {
      slot.ready = true;
      this.respawns = 0;
    } else {
      const task = slot.busy;
      slot.busy = null;
      if (task && task.id === m.id) {
        if (m.ok) task.resolve(m.result);
        else task.reject(deserializeError(m.error));
      }
    }
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    this.slots.delete(slot);
    if (this.closed) return;
    slot.busy?.reject(new Error(`worker exited with code ${code} while running ${slot.busy.task}`));
    this.log?.warn('worker exited, starting another', { code });
    // A worker that cannot even boot must not respawn in a tight loop.
    const delay = Math.min(30_000, 100 * 2 ** this.respawns++);
    setTimeout(() => {
      if (!this.closed && this.slots.size < this.size) {
        this.spawn();
        this.dispatch();
      }
    }, delay).unref();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.busy) continue;
      const task = this.queue.shift()!;
      slot.busy = task;
      slot.worker.postMessage({ type: 'task', id: task.id, task: task.task, payload: task.payload, abortable: Boolean(task.signal) });
    }
  }
}
