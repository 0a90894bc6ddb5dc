/** `retention` commands: parse arguments, call the core, print. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { botConfigProblem } from '../app/bot.ts';
import { withRetrainLease } from '../app/retrainLease.ts';
import type { App } from '../app/types.ts';
import { ConfigError } from '../config.ts';
import { CampaignError, readWithContacts } from '../core/campaign/index.ts';
import { DataError, formatProblem, LeaseBusyError, NoModelError, NotFoundError } from '../core/errors.ts';
import { bandOf } from '../core/risk.ts';
import { csvContactsReader, csvDatasetReader, synthesize } from '../data/index.ts';
import { toCsv } from '../features/csv.ts';
import { CONSOLE_USER } from '../features/feature.ts';
import { resolveSegment } from '../features/segmentNames.ts';
import { CLI } from '../messages.ts';
import { int } from './args.ts';
import { importContactsReport, registerCampaignCommands } from './campaign.ts';
import { renderChartKind, CHART_KINDS } from './charts.ts';
import { registerDigestCommand } from './digest.ts';
import { registerGcCommand } from './gc.ts';


export interface CliDeps {
  openApp(): Promise<App>;
  ensureModel(app: App, onStage?: (stage: 'ingest' | 'train') => void): Promise<void>;
  startBot(app: App): Promise<void>;
  startConsole(app: App): Promise<void>;
}

export function createProgram({ openApp, ensureModel, startBot, startConsole }: CliDeps): Command {
const app = openApp;

async function withApp<T>(fn: (a: App) => Promise<T> | T): Promise<T> {
  const a = await app();
  try {
    return await fn(a);
  } finally {
    await a.close();
  }
}

const print = (s: string): void => void process.stdout.write(`${s}\n`);
const json = (v: unknown): void => print(JSON.stringify(v, null, 2));
const warn = (s: string): void => void process.stderr.write(`${s}\n`);

/** The text of what the chat answers an admin, so the CLI and the bot word things alike. */
async function printChatAnswer(a: App, message: string): Promise<void> {
  for (const reply of await a.dialogue.handleText(CONSOLE_USER, message)) {
    if (reply.type === 'text') print(reply.text);
  }
}

/** `ingest` and `train` wait while a retrain runs anywhere on the store (a bot's upload, another command). */
const exclusive = <T>(a: App, fn: (confirm: () => Promise<void>) => Promise<T>, joined?: string): Promise<T> =>
  withRetrainLease(a, fn, { joined, onWait: () => warn(CLI.waitingForRetrain) });

/** Before any training: a bot that would refuse to start should say so at once. */
async function refuseBadBotConfig(a: App): Promise<void> {
  const problem = botConfigProblem(a.config);
  if (problem) {
    await a.close();
    throw new Error(problem);
  }
}

const program = new Command('retention')
  .description('Retention assistant for «В один клик»: ingest, train, score, explain, segment, chat')
  .showHelpAfterError();

program
  .command('ingest')
  .argument('<dir>', 'directory with market_file.csv, market_money.csv, market_time.csv, money.csv (and optionally contacts.csv)')
  .description('validate, clean and store a data set as a new version; a contacts.csv beside it is imported too')
  .option('--json', 'machine-readable output')
  .action((dir: string, o: { json?: boolean }) =>
    withApp(async (a) => {
      await checkContactsBeside(dir);
      const { dataset, data, contacts } = await exclusive(a, async () => {
        const ingested = await a.assistant.ingestDir(dir);
        return { ...ingested, contacts: await importContactsReport(a, dir, { print, json, warn }) };
      });
      const summary = {
        dataset_version: dataset.version,
        customers_in: dataset.customersIn,
        customers_kept: dataset.customersKept,
        positives: dataset.positives,
        dropped: data.dropped,
        rows_in: data.rowsIn,
        contacts: contacts && { stored: contacts.stored, ignored: contacts.ignored, total: contacts.total },
      };
      if (o.json) return json(summary);
      print(CLI.ingested(dataset));
      for (const d of data.dropped) print(CLI.dropped(d.id, d.reason));
      if (contacts) print(CLI.contactsImported(contacts.stored, contacts.ignored));
    }),
  );

program
  .command('train')
  .description('search all model families by repeated stratified CV ROC-AUC, store and activate the winner')
  .option('--json', 'machine-readable output')
  .option('--folds <n>', 'CV folds', int)
  .option('--repeats <n>', 'CV repeats', int)
  .option('--seed <n>', 'random seed', int)
  .option('--dataset-version <n>', 'train on this data set version instead of the latest (the bot’s upload uses it)', int)
  .option('--families <list>', 'comma-separated model families to search (default: TRAIN_FAMILIES, else all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .addOption(new Option('--lease-owner <owner>', 'the bot’s upload holds the retrain lease as <owner> and runs this training under it').hideHelp())
  .action((o: { json?: boolean; folds?: number; repeats?: number; seed?: number; datasetVersion?: number; families?: string[]; leaseOwner?: string }) =>
    withApp(async (a) => {
      const train = (confirm: () => Promise<void>) =>
        a.assistant.train({
          beforeSave: confirm,
          folds: o.folds,
          repeats: o.repeats,
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.datasetVersion !== undefined ? { datasetVersion: o.datasetVersion } : {}),
          ...(o.families ? { families: o.families } : {}),
        });
      const { model, report, previous } = await exclusive(a, train, o.leaseOwner);
      const out = {
        version: model.version,
        model: model.family,
        params: model.params,
        cv_auc: model.cvAuc,
        cv_auc_std: model.cvAucStd,
        dataset_version: model.datasetVersion,
        customers: model.scoredCustomers,
        previous_version: previous?.version ?? null,
        previous_cv_auc: previous?.cvAuc ?? null,
        brier: report.brier,
        calibration: report.calibration,
        families: report.families,
        timings_ms: report.timings,
      };
      if (o.json) return json(out);
      print(CLI.trained(model));
      for (const f of report.families) print(CLI.family(f));
    }),
  );

program
  .command('evaluate')
  .description('compare model families by repeated stratified CV without storing anything')
  .option('--folds <n>', 'CV folds', int, 5)
  .option('--repeats <n>', 'CV repeats', int, 3)
  .option('--json', 'machine-readable output')
  .action(async (o: { folds: number; repeats: number; json?: boolean }) =>
    withApp(async (a) => {
      const r = await a.assistant.evaluate({ folds: o.folds, repeats: o.repeats });
      if (o.json) return json(r);
      for (const f of r.families) print(CLI.family(f));
      print(CLI.chosen(r.chosen));
    }),
  );

program
  .command('score')
  .description('write id,probability,band for every customer of the store, or of DIR without storing it')
  .option('--data <dir>', 'score these files with the active model instead of the stored customers')
  .requiredOption('--out <file>', 'CSV file to write')
  .action((o: { data?: string; out: string }) =>
    withApp(async (a) => {
      const scored = o.data
        ? await a.assistant.scoreCustomers((await csvDatasetReader.readDir(o.data, { requireLabel: false })).customers)
        : await a.assistant.storedScores();
      const t = a.config.risk;
      const rows = scored.map((s) => [s.id, s.probability.toFixed(6), bandOf(s.probability, t)]);
      writeFileSync(o.out, toCsv(['id', 'probability', 'band'], rows, { bom: false }));
      print(CLI.scored(rows.length, o.out));
    }),
  );

program
  .command('risk')
  .argument('<id>', 'customer id', int)
  .option('--json', 'machine-readable output')
  .description('probability, band, drivers and offer for one customer')
  .action((id: number, o: { json?: boolean }) =>
    withApp(async (a) => {
      if (o.json) {
        const excluded = await a.assistant.excluded(id);
        if (excluded) {
          process.exitCode = 1;
          return json({ id, excluded });
        }
        const r = await a.assistant.risk(id);
        return json({
          id: r.customer.id,
          probability: r.probability,
          band: r.band,
          drivers: r.drivers,
          segments: r.segments,
          offer: r.offer,
          base_rate: r.baseRate,
          base: r.baseRate,
          contributions: Object.fromEntries((r.contributions ?? []).map((c) => [c.feature, c.contribution])),
          expected_loss: r.expectedLoss,
          previous: r.previous && {
            probability: r.previous.probability,
            model_version: r.previous.modelVersion,
            dataset_version: r.previous.datasetVersion,
          },
          model_version: r.modelVersion,
        });
      }
      await printChatAnswer(a, `/risk ${id}`);
    }),
  );

program
  .command('segment')
  .argument('<name>', 'profitable | promo | cart | surfers | gadgets | at-risk (Russian aliases work too)')
  .option('--json', 'machine-readable output')
  .option('--limit <n>', 'customers to list in JSON', int)
  .action((name: string, o: { json?: boolean; limit?: number }) =>
    withApp(async (a) => {
      const code = resolveSegment(name);
      if (!code) throw new NotFoundError('segment', name);
      if (o.json) {
        const s = await a.assistant.segment(code, { members: o.limit ?? 'all' });
        return json({
          segment: s.code,
          size: s.size,
          share: s.share,
          mean_risk: s.meanRisk,
          profit_at_stake: s.profitAtStake,
          customers: s.members.map((m) => ({
            id: m.customer.id,
            probability: m.probability,
            profit: m.customer.profit,
            priority: m.priority,
          })),
        });
      }
      await printChatAnswer(a, `/segment ${code}`);
    }),
  );

program
  .command('top-features')
  .option('--json', 'machine-readable output')
  .description('global feature importance of the active model')
  .action((o: { json?: boolean }) =>
    withApp(async (a) => {
      const top = await a.assistant.topFeatures();
      if (o.json) return json(top.map((f) => ({ feature: f.feature, importance: f.importance, direction: f.direction })));
      await printChatAnswer(a, '/top_features');
    }),
  );

program
  .command('chart')
  .argument('<kind>', CHART_KINDS.join(' | '))
  .requiredOption('--out <file>', 'PNG file to write')
  .option('--id <id>', 'customer id for the drivers chart', int)
  .option('--segment <name>', 'segment for the segment chart (default profitable)')
  .action((kind: string, o: { out: string; id?: number; segment?: string }) =>
    withApp(async (a) => {
      const png = await renderChartKind(a, kind, { id: o.id, segment: o.segment });
      writeFileSync(o.out, png);
      print(CLI.chartSaved(o.out));
    }),
  );

const model = program.command('model').description('model versions');
model
  .command('list')
  .option('--json', 'machine-readable output')
  .action((o: { json?: boolean }) =>
    withApp(async (a) => {
      const list = await a.assistant.listModels();
      if (o.json) return json(list);
      for (const m of list) print(CLI.modelRow(m, a.config.digest.timezone));
    }),
  );
model
  .command('use')
  .argument('<version>', 'model version to make active (rollback)', int)
  .action((version: number) =>
    withApp(async (a) => {
      const m = await a.assistant.useModel(version);
      print(CLI.modelActivated(m));
    }),
  );

program
  .command('synth')
  .description('write a synthetic data set with the real files’ columns, quirks and a learnable signal, or the period after a campaign')
  .option('--customers <n>', 'number of customers', int, 1300)
  .requiredOption('--out <dir>', 'output directory')
  .option('--seed <n>', 'random seed', int, 42)
  .option('--next-period', 'the period after a campaign: the customers of --from, months rolled on, new labels')
  .option('--from <dir>', 'with --next-period: the data set the plan was drawn on')
  .option('--plan <file>', 'with --next-period: `retention plan --json` output (customers are treated, control held out)')
  .option('--effect <share>', 'with --next-period: share of would-be decliners the calls save, in [0, 1]', Number, 0.3)
  .action(async (o: { customers: number; out: string; seed: number; nextPeriod?: boolean; from?: string; plan?: string; effect: number }) => {
    const t0 = performance.now();
    if (!o.nextPeriod) {
      if (o.from || o.plan) throw new Error(CLI.synthOptions.fromPlanNeedNext);
      await synthesize({ customers: o.customers, seed: o.seed, outDir: o.out });
      print(CLI.synthesized(o.customers, o.out, Math.round(performance.now() - t0)));
      return;
    }
    if (!o.from || !o.plan) throw new Error(CLI.synthOptions.nextNeedsFromPlan);
    const s = await synthesize({ seed: o.seed, outDir: o.out, nextPeriod: { fromDir: o.from, plan: readPlanArms(o.plan), effect: o.effect } });
    print(CLI.synthesizedNext(s.customers, o.out, Math.round(performance.now() - t0)));
    if (s.expected) {
      const e = s.expected;
      print(CLI.synthExpected(e));
    }
  });

registerCampaignCommands(program, withApp, { print, json, warn });

registerDigestCommand(program, withApp, print);
registerGcCommand(program, withApp, print);

program
  .command('console')
  .description('chat with the assistant on stdin/stdout (no Telegram needed)')
  .action(() => withApp(async (a) => {
    await ensureModel(a);
    await startConsole(a);
  }));

program
  .command('bot')
  .description('run the Telegram bot (TELEGRAM_BOT_TOKEN)')
  .action(async () => {
    const a = await app();
    await refuseBadBotConfig(a);
    await ensureModel(a);
    await startBot(a);
  });

program
  .command('start', { hidden: true })
  .description('the bot when TELEGRAM_BOT_TOKEN is set, otherwise the console; trains on data/ first if needed')
  .action(async () => {
    const a = await app();
    if (a.config.telegramToken) await refuseBadBotConfig(a);
    await ensureModel(a, (stage) => process.stderr.write(stage === 'ingest' ? 'Первый запуск: загружаю демо-данные…\n' : 'Обучаю модель…\n'));
    if (a.config.telegramToken) return startBot(a);
    try {
      await startConsole(a);
    } finally {
      await a.close();
    }
  });

return program;
}

/** Treated and control ids from `retention plan --json`. */
function readPlanArms(file: string): { treated: number[]; control: number[] } {
  const ids = (list: unknown, key: string): number[] => {
    if (!Array.isArray(list)) throw new Error(`${file}: no «${key}» list — expected the output of \`retention plan --json\``);
    return list.map((c: { id?: unknown }) => {
      if (!Number.isSafeInteger(c?.id)) throw new Error(`${file}: an entry of «${key}» has no integer id`);
      return c.id as number;
    });
  };
  const plan = JSON.parse(readFileSync(file, 'utf8')) as { customers?: unknown; control?: unknown };
  return { treated: ids(plan.customers, 'customers'), control: ids(plan.control, 'control') };
}

/**
 * A contacts.csv beside the data set is checked before anything is stored; if it is broken, the
 * data files' problems are listed with its own, so one round fixes everything.
 */
async function checkContactsBeside(dir: string): Promise<void> {
  if (!existsSync(dir)) return; // the ingest says so
  try {
    await csvContactsReader.read(dir, async () => () => true);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    await readWithContacts(() => csvDatasetReader.readDir(dir), () => Promise.reject(err));
  }
}

const CAMPAIGN_REFUSALS: Record<CampaignError['reason'], string> = {
  no_plan: 'there is no plan for week',
  not_in_plan: 'the customer is not on the list of week',
  held_out: 'the customer is in the control group of week (not to be called)',
};

function fail(err: unknown): never {
  if (err instanceof CampaignError) {
    process.stderr.write(`${err.customerId === undefined ? '' : `customer ${err.customerId}: `}${CAMPAIGN_REFUSALS[err.reason]} ${err.week}; nothing recorded\n`);
    process.exit(1);
  }
  if (err instanceof DataError) {
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
    process.exit(2);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof NotFoundError) {
    process.stderr.write(`${CLI.notFound(err.what, err.key, err.suggestions)}\n`);
    process.exit(1);
  }
  if (err instanceof LeaseBusyError) {
    process.stderr.write(`${CLI.retrainBusy(Math.round(err.waitedMs / 60_000))}\n`);
    process.exit(1);
  }
  if (err instanceof NoModelError) {
    process.stderr.write(`${CLI.noModel}\n`);
    process.exit(1);
  }
  process.stderr.write(`${CLI.error((err as Error)?.message ?? String(err))}\n`);
  process.exit(1);
}

export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  await program.parseAsync(argv as string[]).catch(fail);
}
