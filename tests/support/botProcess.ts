/** `retention bot` as a real child process, for the tests that need signals, exit codes and stderr. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_PATH } from '../../src/jobs/trainers.ts';

export interface BotProcess {
  proc: ChildProcess;
  /** Everything the process wrote to stderr so far (its JSON log lines). */
  out: { stderr: string };
  exit: Promise<number | null>;
  exited(): boolean;
  /** Polls `probe` until it holds; rejects if the process exits first. */
  until(what: string, probe: () => boolean): Promise<void>;
  /** The fields of the first log line with this `msg`, once it has been written. */
  logged(msg: string): Promise<Record<string, unknown>>;
  /** The fields of every log line with this `msg` so far, in order. */
  logs(msg: string): Record<string, unknown>[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns `retention bot` with `env` over this process's environment; without drawing every customer's
 * chart ahead (tests/app/chartsAhead.test.ts covers that), which would take each process's workers 20 s.
 */
export function startBotProcess(env: Record<string, string>): BotProcess {
  const proc = spawn(process.execPath, [CLI_PATH, 'bot'], { env: { ...process.env, CHART_CACHE_MB: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stderr: '' };
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  const until = async (what: string, probe: () => boolean) => {
    while (!probe()) {
      if (exited()) throw new Error(`the bot exited before ${what}:\n${out.stderr}`);
      await sleep(10);
    }
  };
  const logs = (msg: string) =>
    out.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === msg);
  const find = (msg: string) => logs(msg)[0];
  const logged = async (msg: string) => {
    await until(`logging "${msg}"`, () => find(msg) !== undefined);
    return find(msg)!;
  };
  return { proc, out, exit, exited, until, logged, logs };
}
