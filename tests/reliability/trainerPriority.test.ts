/**
 * The upload's retrain runs in a child process at a lower CPU priority, so on a small machine it
 * does not starve the bot's answers (measured in tests/reliability/slow/load.test.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { childProcessTrainer, TRAIN_NICE } from '../../src/jobs/trainers.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(async () => await fx?.dispose());

/** Nice values of this process's children running `retention … train`, from /proc. */
function trainingChildrenNice(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice
      if (Number(fields[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('train')) continue;
      out.push(Number(fields[16]));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

it.skipIf(process.platform !== 'linux')('the training child runs niced', async () => {
  const trainer = childProcessTrainer({ dbPath: fx.app.config.dbPath, args: ['--families', 'logistic', '--folds', '3', '--repeats', '1'] });
  const seen: number[] = [];
  const running = trainer.train((await fx.app.store.datasets.latest())!.version);
  let done = false;
  void running.finally(() => (done = true));
  while (!done) {
    seen.push(...trainingChildrenNice());
    await new Promise((r) => setTimeout(r, 20));
  }
  await running;
  expect(seen.length).toBeGreaterThan(0);
  expect(new Set(seen)).toEqual(new Set([TRAIN_NICE]));
});
