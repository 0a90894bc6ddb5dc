/** `retention` commands: parse arguments, call the core, print. */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { App } from '../app/types.ts';
import { ConfigError } from '../config.ts';
import { DataError, formatProblem, NoModelError, NotFoundError } from '../core/errors.ts';
import { bandOf } from '../core/risk.ts';
import { csvDatasetReader, synthesize } from '../data/index.ts';
import { toCsv } from '../features/csv.ts';
import { CONSOLE_USER } from '../features/feature.ts';
import { resolveSegment } from '../features/segmentNames.ts';
import { renderChartKind, CHART_KINDS } from './charts.ts';
import { registerDigestCommand } from './digest.ts';
import { registerGcCommand } from './gc.ts';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};

export interface CliDeps {
  openApp(): App;
  ensureModel(app: App, onStage?: (stage: 'ingest' | 'train') => void): Promise<void>;
  startBot(app: App): Promise<void>;
  startConsole(app: App): Promise<void>;
}

export function createProgram({ openApp, ensureModel, startBot, startConsole }: CliDeps): Command {
const app = openApp;

async function withApp<T>(fn: (a: App) => Promise<T> | T): Promise<T> {
  const a = app();
  try {
    return await fn(a);
  } finally {
    a.close();
  }
}

const print = (s: string): void => void process.stdout.write(`${s}\n`);
const json = (v: unknown): void => print(JSON.stringify(v, null, 2));

/** The text of what the chat answers an admin, so the CLI and the bot word things alike. */
async function printChatAnswer(a: App, message: string): Promise<void> {
  for (const reply of await a.dialogue.handleText(CONSOLE_USER, message)) {
    if (reply.type === 'text') print(reply.text);
  }
}

const program = new Command('retention')
  .description('Retention assistant for «В один клик»: ingest, train, score, explain, segment, chat')
  .showHelpAfterError();

program
  .command('ingest')
  .argument('<dir>', 'directory with market_file.csv, market_money.csv, market_time.csv, money.csv')
  .description('validate, clean and store a data set as a new version')
  .option('--json', 'machine-readable output')
  .action((dir: string, o: { json?: boolean }) =>
    withApp(async (a) => {
      const { dataset, data } = await a.assistant.ingestDir(dir);
      const summary = {
        dataset_version: dataset.version,
        customers_in: dataset.customersIn,
        customers_kept: dataset.customersKept,
        positives: dataset.positives,
        dropped: data.dropped,
        rows_in: data.rowsIn,
      };
      if (o.json) return json(summary);
      print(`dataset v${dataset.version}: ${dataset.customersIn} customers in, ${dataset.customersKept} kept, ${dataset.positives} labelled «Снизилась»`);
      for (const d of data.dropped) print(`  dropped ${d.id}: ${d.reason}`);
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
  .option('--families <list>', 'comma-separated model families to search (default: all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .action((o: { json?: boolean; folds?: number; repeats?: number; seed?: number; datasetVersion?: number; families?: string[] }) =>
    withApp((a) => {
      const { model, report, previous } = a.assistant.train({
        folds: o.folds,
        repeats: o.repeats,
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.datasetVersion !== undefined ? { datasetVersion: o.datasetVersion } : {}),
        ...(o.families ? { families: o.families } : {}),
      });
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
      print(`model v${model.version}: ${model.family}, CV ROC-AUC ${model.cvAuc.toFixed(3)} ± ${model.cvAucStd.toFixed(3)} on dataset v${model.datasetVersion} (${model.scoredCustomers} customers)`);
      for (const f of report.families) print(`  ${f.family.padEnd(10)} ${f.cvAucMean.toFixed(4)} ± ${f.cvAucStd.toFixed(4)}  (${f.candidates} candidates, ${Math.round(f.searchMs)} ms)`);
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
      const r = a.assistant.evaluate({ folds: o.folds, repeats: o.repeats });
      if (o.json) return json(r);
      for (const f of r.families) print(`${f.family.padEnd(10)} ${f.cvAucMean.toFixed(4)} ± ${f.cvAucStd.toFixed(4)}`);
      print(`chosen: ${r.chosen}`);
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
        ? a.assistant.scoreCustomers((await csvDatasetReader.readDir(o.data, { requireLabel: false })).customers)
        : a.assistant.storedScores();
      const t = a.config.risk;
      const rows = scored.map((s) => [s.id, s.probability.toFixed(6), bandOf(s.probability, t)]);
      writeFileSync(o.out, toCsv(['id', 'probability', 'band'], rows, { bom: false }));
      print(`${rows.length} customers scored → ${o.out}`);
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
        const r = await a.assistant.risk(id);
        return json({
          id: r.customer.id,
          probability: r.probability,
          band: r.band,
          drivers: r.drivers,
          segments: r.segments,
          offer: r.offer,
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
      const top = a.assistant.topFeatures();
      if (o.json) return json(top.map((f) => ({ feature: f.feature, importance: f.importance })));
      for (const f of top) print(`${f.feature.padEnd(22)} ${f.importance.toFixed(4)}`);
    }),
  );

program
  .command('chart')
  .argument('<kind>', CHART_KINDS.join(' | '))
  .requiredOption('--out <file>', 'PNG file to write')
  .option('--id <id>', 'customer id for the drivers chart', int)
  .action((kind: string, o: { out: string; id?: number }) =>
    withApp(async (a) => {
      const png = await renderChartKind(a, kind, { id: o.id });
      writeFileSync(o.out, png);
      print(`${kind} → ${o.out}`);
    }),
  );

const model = program.command('model').description('model versions');
model
  .command('list')
  .option('--json', 'machine-readable output')
  .action((o: { json?: boolean }) =>
    withApp((a) => {
      const list = a.assistant.listModels();
      if (o.json) return json(list);
      for (const m of list) {
        print(`${m.active ? '*' : ' '} v${m.version}  ${m.family.padEnd(10)} AUC ${m.cvAuc.toFixed(4)}  dataset v${m.datasetVersion}  ${m.createdAt}`);
      }
    }),
  );
model
  .command('use')
  .argument('<version>', 'model version to make active (rollback)', int)
  .action((version: number) =>
    withApp((a) => {
      const m = a.assistant.useModel(version);
      print(`active model: v${m.version} (${m.family}, AUC ${m.cvAuc.toFixed(4)})`);
    }),
  );

program
  .command('synth')
  .description('write a synthetic data set with the real files’ columns, quirks and a learnable signal')
  .option('--customers <n>', 'number of customers', int, 1300)
  .requiredOption('--out <dir>', 'output directory')
  .option('--seed <n>', 'random seed', int, 42)
  .action(async (o: { customers: number; out: string; seed: number }) => {
    const t0 = performance.now();
    await synthesize({ customers: o.customers, seed: o.seed, outDir: o.out });
    print(`${o.customers} customers → ${o.out} in ${Math.round(performance.now() - t0)} ms`);
  });

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
    const a = app();
    await ensureModel(a);
    await startBot(a);
  });

program
  .command('start', { hidden: true })
  .description('the bot when TELEGRAM_BOT_TOKEN is set, otherwise the console; trains on data/ first if needed')
  .action(async () => {
    const a = app();
    await ensureModel(a, (stage) => process.stderr.write(stage === 'ingest' ? 'Первый запуск: загружаю демо-данные…\n' : 'Обучаю модель…\n'));
    if (a.config.telegramToken) return startBot(a);
    try {
      await startConsole(a);
    } finally {
      a.close();
    }
  });

return program;
}

function fail(err: unknown): never {
  if (err instanceof DataError) {
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
    process.exit(2);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof NotFoundError) {
    const hint = err.suggestions.length ? ` (nearest: ${err.suggestions.join(', ')})` : '';
    process.stderr.write(`${err.what} not found: ${err.key}${hint}\n`);
    process.exit(1);
  }
  if (err instanceof NoModelError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
}

export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  await program.parseAsync(argv as string[]).catch(fail);
}
