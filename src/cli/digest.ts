/** `retention digest`: print this week's digest, or send it now through the same run record the schedule uses. */
import type { Command } from 'commander';
import { telegramDigestTransport } from '../bot/digest.ts';
import { botApiClient, composeDigest, currentPeriod, digestRunner } from '../app/digest.ts';
import type { App } from '../app/types.ts';
import { saveReplyFile } from '../console/replyFiles.ts';
import { CLI } from '../messages.ts';

interface DigestCliOptions {
  dryRun?: boolean;
  send?: boolean;
  force?: boolean;
  out?: string;
}

type WithApp = <T>(fn: (a: App) => Promise<T> | T) => Promise<T>;

export function registerDigestCommand(program: Command, withApp: WithApp, print: (s: string) => void): void {
  program
    .command('digest')
    .description('this week’s at-risk digest: print it (--dry-run) or send it to subscribers now (--send)')
    .option('--dry-run', 'print the digest text for the current store; nothing is sent or recorded')
    .option('--out <dir>', 'with --dry-run: also write the trend chart and the CSV into this folder')
    .option('--send', 'send it now to every subscriber who has not had this week’s digest (TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT)')
    .option('--force', 'with --send: rebuild it from the current model and send it again to every subscriber')
    .action((o: DigestCliOptions) => {
      if (Boolean(o.dryRun) === Boolean(o.send)) throw new Error(CLI.digestOptions.oneOf);
      if (o.force && !o.send) throw new Error(CLI.digestOptions.forceWithSend);
      if (o.out && !o.dryRun) throw new Error(CLI.digestOptions.outWithDryRun);
      return withApp((a) => (o.dryRun ? preview(a, o.out, print) : send(a, Boolean(o.force), print)));
    });
}

async function preview(a: App, out: string | undefined, print: (s: string) => void): Promise<void> {
  const { composed } = await composeDigest(a, currentPeriod(a.config));
  for (const part of composed.parts) {
    if (part.type === 'text') print(part.text);
    else if (out) process.stderr.write(`${part.type} → ${saveReplyFile(part, out)}\n`);
  }
}

async function send(a: App, force: boolean, print: (s: string) => void): Promise<void> {
  const runner = digestRunner(a, telegramDigestTransport(botApiClient(a.config, a.log)));
  const r = await runner.deliver(currentPeriod(a.config), { trigger: 'manual', force });
  const c = r.counts;
  print(CLI.digestSent(r));
  print(CLI.digestCounts(c));
  if (r.partsLost > 0) print(CLI.digestLost(r.partsLost));
  if (r.outcome === 'busy') {
    print(CLI.digestBusy);
    process.exitCode = 1;
  } else if (c.failed > 0) process.exitCode = 1;
}
