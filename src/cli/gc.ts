/** `retention gc`: delete old model and data set versions under the retention policy (src/core/retention.ts). */
import { InvalidArgumentError, type Command } from 'commander';
import type { App } from '../app/types.ts';
import { collectGarbage, DEFAULT_KEEP_VERSIONS, type GcOutcome } from '../core/retention.ts';

type WithApp = <T>(fn: (a: App) => Promise<T> | T) => Promise<T>;

const keepCount = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return n;
};

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function describe(o: GcOutcome): string[] {
  const verb = o.dryRun ? 'would delete' : 'deleted';
  const lines = [
    ...o.plan.drop.models.map((m) => `${verb} model v${m.version} (data set v${m.datasetVersion}, ${m.rows} scores, ${m.createdAt})`),
    ...o.plan.drop.datasets.map((d) => `${verb} data set v${d.version} (${d.rows} customers, ${d.createdAt})`),
  ];
  if (lines.length === 0) lines.push('nothing to delete');
  lines.push(
    `keeping models ${o.plan.keep.models.map((m) => `v${m.version} (${m.why.join(', ')})`).join(', ') || '—'}`,
    `keeping data sets ${o.plan.keep.datasets.map((d) => `v${d.version} (${d.why.join(', ')})`).join(', ') || '—'}`,
  );
  if (!o.dryRun) {
    lines.push(
      o.vacuumed
        ? `file ${mb(o.before.bytes)} → ${mb(o.after.bytes)}`
        : `file ${mb(o.after.bytes)}, of which ${mb(o.after.freeBytes)} free for the next ingest to reuse (--vacuum returns it to the disk)`,
    );
  }
  return lines;
}

export function registerGcCommand(program: Command, withApp: WithApp, print: (s: string) => void): void {
  program
    .command('gc')
    .description('delete model and data set versions nobody needs: keeps the active model, the last N versions and what digests or campaigns refer to')
    .option('--dry-run', 'list what would be deleted; change nothing')
    .option('--keep <n>', `model and data set versions to keep besides the active and referenced ones (KEEP_VERSIONS, default ${DEFAULT_KEEP_VERSIONS})`, keepCount)
    .option('--vacuum', 'also rewrite the file to give the freed space back to the disk (takes the store for its duration: stop the bot first)')
    .option('--json', 'machine-readable output')
    .action((o: { dryRun?: boolean; keep?: number; vacuum?: boolean; json?: boolean }) =>
      withApp(async (a) => {
        const keep = o.keep ?? keepCount(process.env.KEEP_VERSIONS ?? String(DEFAULT_KEEP_VERSIONS));
        const outcome = await collectGarbage(a.store, { keep, dryRun: Boolean(o.dryRun), vacuum: o.vacuum });
        if (o.json) return print(JSON.stringify(outcome, null, 2));
        for (const line of describe(outcome)) print(line);
      }),
    );
}
