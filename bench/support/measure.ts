/** A command run as a child under `/usr/bin/time -v`: its own wall time and peak RSS, and the load around it. */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Measured {
  ok: boolean;
  wallS: number;
  peakRssMb: number;
  exitCode: number | null;
  stdout: string;
  stderrTail: string;
  /** 1-minute load average when the command started and when it ended. */
  load: [number, number];
}

const load1 = () => +loadavg()[0].toFixed(2);

/** Runs a command under /usr/bin/time -v; wall time and max RSS as the kernel counted them. */
export function measure(cmd: string[], env: Record<string, string> = {}, timeoutS = 900, input?: string): Measured {
  const l0 = load1();
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 2 ** 20,
    input,
  });
  const wall = (performance.now() - t) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return {
    ok: r.status === 0,
    wallS: +wall.toFixed(2),
    peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : NaN,
    exitCode: r.status,
    stdout: r.stdout ?? '',
    stderrTail: (r.stderr ?? '').split('\n').filter((l) => !/^\t/.test(l)).slice(-5).join('\n'),
    load: [l0, load1()],
  };
}
