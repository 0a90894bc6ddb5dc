/**
 * ModelTrainer adapters. The model search is CPU-bound for seconds to minutes, and the bot's
 * single event loop must keep answering other chats meanwhile, so the real one trains in a
 * child process (`retention train --dataset-version V --json`) on the same SQLite file. The
 * child writes the model, its scores and the active pointer in one transaction: a crash, a
 * timeout or a kill before that commit leaves the previous model answering.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Assistant } from '../core/assistant.ts';
import { TrainingFailedError } from '../core/errors.ts';
import type { ModelTrainer } from '../core/ports.ts';

export const CLI_PATH = fileURLToPath(new URL('../../bin/retention.js', import.meta.url));

export interface ChildTrainerOptions {
  dbPath: string;
  /** Extra `retention train` arguments, e.g. ['--families', 'logistic'] for fast tests. */
  args?: readonly string[];
  /** A training running longer than this is killed (default 30 min). */
  timeoutMs?: number;
  /** Who holds the retrain lease this training runs under (the retrainer): the child works under it instead of waiting for it. */
  leaseOwner?: string;
}

/** Niceness of the training child: on a small machine the bot's answers keep the CPU (bench: tests/reliability/slow/load.test.ts). */
export const TRAIN_NICE = 10;

const lastLine = (s: string) => s.trim().split('\n').pop()?.slice(0, 300) ?? '';

export function childProcessTrainer(opts: ChildTrainerOptions): ModelTrainer {
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  return {
    async train(datasetVersion, signal) {
      signal?.throwIfAborted();
      const env: NodeJS.ProcessEnv = { ...process.env, RETENTION_DB: opts.dbPath };
      delete env.TELEGRAM_BOT_TOKEN; // the child never talks to Telegram
      const args = [CLI_PATH, 'train', '--dataset-version', String(datasetVersion), '--json', ...(opts.leaseOwner ? ['--lease-owner', opts.leaseOwner] : []), ...(opts.args ?? [])];
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        if (child.pid !== undefined) setPriority(child.pid, TRAIN_NICE);
      } catch {
        // Not permitted here: train at the default priority.
      }
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
      let timedOut = false;
      const kill = () => child.kill('SIGTERM');
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs);
      signal?.addEventListener('abort', kill, { once: true });
      try {
        const exit = await new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve, reject) => {
          child.once('error', reject);
          child.once('close', (code, sig) => resolve({ code, sig }));
        });
        signal?.throwIfAborted();
        if (timedOut) throw new TrainingFailedError(`training took longer than ${Math.round(timeoutMs / 60_000)} min and was stopped`);
        if (exit.code !== 0) throw new TrainingFailedError(`training exited with ${exit.sig ?? exit.code}: ${lastLine(stderr)}`);
        let version: unknown;
        try {
          version = (JSON.parse(stdout) as { version?: unknown }).version;
        } catch (cause) {
          throw new TrainingFailedError('training printed no JSON report', { cause });
        }
        if (typeof version !== 'number') throw new TrainingFailedError('training report has no model version');
        return { modelVersion: version };
      } catch (err) {
        if (err instanceof TrainingFailedError || signal?.aborted) throw err;
        throw new TrainingFailedError(`could not run training: ${(err as Error).message}`, { cause: err });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', kill);
      }
    },
  };
}

/**
 * Trains on the caller's thread. Only for an in-memory database, which another process cannot
 * open; the event loop is blocked while it runs.
 */
export function inProcessTrainer(assistant: Assistant): ModelTrainer {
  return {
    async train(datasetVersion, signal) {
      signal?.throwIfAborted();
      return { modelVersion: (await assistant.train({ datasetVersion })).model.version };
    },
  };
}
