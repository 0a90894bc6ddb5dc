/**
 * What the bot process hands to its worker pool, and the in-place fallback for everything else
 * (the CLI, tests, an in-memory store that no worker can open). Inert until start(): the CLI's
 * one-shot commands never pay for booting workers.
 *
 * Heavy work (exports, digest runs, segment builds) waits for a worker; light work that only
 * happens to be better off the event loop (one chart, one explanation) runs in place while the
 * pool is still booting, so the first answers after a start are never slower for it.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config.ts';
import type { DigestPeriod } from '../core/digest/period.ts';
import type { DeliverOptions, DeliveryReport, DigestRunner } from '../core/digest/runner.ts';
import type { BackgroundWork, Logger } from '../core/ports.ts';
import type { ChartSize } from '../features/charts/types.ts';
import type { CallbackData, Reply } from '../core/reply.ts';
import type { CallbackHandlers, ChatUser, Feature } from '../features/feature.ts';
import type { ChartRenderPool } from './charts/cache.ts';
import type { PrerenderChunk, PrerenderChunkResult } from './charts/prerender.ts';
import { WorkerPool } from './workers/pool.ts';
import { asBuffer, reviveReplies, type Tasks, type TaskName } from './workers/tasks.ts';

/** Commands whose answers can take seconds at scale: they run in a worker. */
export const OFFLOADED_COMMANDS: ReadonlySet<string> = new Set(['export']);

export const defaultWorkers = () => Math.max(1, Math.min(2, availableParallelism()));
/** Niceness of the worker threads, as the training child's (TRAIN_NICE): answers keep the CPU first. */
export const WORKER_NICE = 10;
/** Drawing charts ahead takes only what nobody else wants of the CPU: below the workers that answer. */
export const AHEAD_NICE = 19;

export class Offload {
  private pool: WorkerPool | null = null;
  /** One worker of its own for drawing ahead, while it runs (prerender / endAhead). */
  private ahead: WorkerPool | null = null;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** Starts the worker pool (not for an in-memory store, which only this thread can see). */
  start(workers = defaultWorkers()): void {
    if (this.pool || this.config.dbPath === ':memory:' || workers < 1) return;
    // Only a digest run talks to Telegram from a worker, with the bot's own token and retry policy.
    this.pool = new WorkerPool(workers, { config: this.config, nice: WORKER_NICE }, this.log);
    this.pool.start();
    // One warm-up a worker (each takes one as it boots): its app and the served model are loaded
    // before the first task that needs them. A failed warm-up only leaves that for the first task.
    const warmUps = Array.from({ length: workers }, () =>
      this.pool!.run('warm', null).catch((err: Error) => this.log.warn('worker warm-up failed', { error: err.message })),
    );
    this.warmed = Promise.all(warmUps).then(() => undefined);
  }

  private warmed: Promise<void> = Promise.resolve();

  /**
   * Resolves once every worker has taken its warm-up (its app and the served model loaded; at once
   * when no pool runs): until then a chart asked for waits behind a worker's warm-up.
   */
  whenWarm(): Promise<void> {
    return this.warmed;
  }

  get running(): boolean {
    return this.pool !== null;
  }

  /** Resolves once a worker can take tasks — every worker has booted, with `all` — (at once when no pool runs). */
  whenReady(all = false): Promise<void> {
    return this.pool?.whenReady(all) ?? Promise.resolve();
  }

  private run<K extends TaskName>(task: K, payload: Tasks[K]['payload'], signal?: AbortSignal): Promise<Tasks[K]['result']> {
    return this.pool!.run<Tasks[K]['result']>(task, payload, signal);
  }

  /** BackgroundWork through the pool when it runs, else `local`. */
  work(local: BackgroundWork): BackgroundWork {
    return {
      buildSegments: (modelVersion, settings) =>
        this.pool ? this.run('segments', { modelVersion, settings }).then(() => undefined) : local.buildSegments(modelVersion, settings),
      explain: (modelVersion, ids, opts) =>
        this.pool?.ready ? this.run('explain', { modelVersion, ids, every: opts?.every }) : local.explain(modelVersion, ids, opts),
    };
  }

  /** A passive WAL checkpoint in a worker (see leaveCheckpointsToWorkers); nothing without a pool. */
  checkpoint(): Promise<void> {
    return this.pool ? this.run('checkpoint', null).then(() => undefined) : Promise.resolve();
  }

  /** Chart rendering in the pool, for the chart cache. */
  renderPool(): ChartRenderPool | null {
    const pool = this.pool;
    if (!pool) return null;
    return {
      get ready() {
        return pool.ready;
      },
      render: (source: string, size: ChartSize) => this.run('render', { source, size }).then(asBuffer),
    };
  }

  /**
   * A chunk of charts drawn ahead, in a worker of its own at AHEAD_NICE, started on first use, so
   * the workers that answer stay free and the drawing slows down whenever they or the event loop
   * want the cores; null without a pool (drawing ahead never runs on the event loop).
   */
  prerender(chunk: PrerenderChunk, signal: AbortSignal): Promise<PrerenderChunkResult> | null {
    if (!this.pool) return null;
    if (!this.ahead) {
      this.ahead = new WorkerPool(1, { config: this.config, nice: AHEAD_NICE }, this.log);
      this.ahead.start();
    }
    return this.ahead.run<PrerenderChunkResult>('prerender', chunk, signal);
  }

  /** Stops the drawing-ahead worker until the next prerender (its app and model are 100 MB or more). */
  async endAhead(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = null;
    await ahead?.close();
  }

  /** The feature with its command and buttons answered in a worker when the pool runs. */
  feature(f: Feature): Feature {
    const remote = (call: Tasks['feature']['payload']) => this.run('feature', call).then(reviveReplies);
    type AnyHandler = (user: ChatUser, data: CallbackData) => Promise<Reply[]>;
    const callbacks = f.callbacks
      ? (Object.fromEntries(
          Object.entries(f.callbacks).map(([kind, handler]) => [
            kind,
            ((user, callback) => (this.pool ? remote({ command: f.command, user, callback }) : (handler as AnyHandler)(user, callback))) as AnyHandler,
          ]),
        ) as CallbackHandlers)
      : undefined;
    return {
      ...f,
      run: (user, args) => (this.pool ? remote({ command: f.command, user, args }) : f.run(user, args)),
      ...(callbacks ? { callbacks } : {}),
    };
  }

  /**
   * A whole digest run in a worker when the pool runs, else by `here`: at a million customers its
   * composition takes seconds and recording its 20 MB CSV holds SQLite's write lock for a few
   * hundred ms, neither of which the answering thread should wait out.
   */
  deliverDigest(period: DigestPeriod, opts: DeliverOptions, here: DigestRunner['deliver']): Promise<DeliveryReport> {
    if (!this.pool) return here(period, opts);
    return this.run('deliverDigest', { period: period.key, trigger: opts.trigger, force: opts.force }, opts.signal);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await Promise.all([pool?.close(), this.endAhead()]);
  }
}
