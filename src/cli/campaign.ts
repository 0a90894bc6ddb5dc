/**
 * `retention plan | contact | campaign | contacts | export`: the weekly campaign from the command
 * line, over the same use cases and words as the chat.
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { App } from '../app/types.ts';
import { campaignResultsJson, importContacts, weekPlanJson } from '../core/campaign/index.ts';
import { formatProblem, NotFoundError } from '../core/errors.ts';
import { csvContactsReader, spreadsheetWriter } from '../data/index.ts';
import { exportTable, isPlanName } from '../features/export.ts';
import { parseStatus } from '../features/outreach.ts';
import { resolveSegment } from '../features/segmentNames.ts';
import * as M from '../messages.ts';
import { int } from './args.ts';

type WithApp = <T>(fn: (a: App) => Promise<T> | T) => Promise<T>;

export interface CliOutput {
  print(s: string): void;
  json(v: unknown): void;
  /** Warnings that do not fail the command, one `file:line: message` each. */
  warn(s: string): void;
}

const status = (v: string) => {
  const s = parseStatus(v);
  if (!s) throw new InvalidArgumentError('expected offered, no_answer or declined');
  return s;
};

const week = (v: string) => {
  if (!/^\d{4}-W\d{2}$/.test(v)) throw new InvalidArgumentError('expected an ISO week such as 2026-W48');
  return v;
};

/** contacts.csv of `dirOrFile` into the store; warnings (unknown ids) go to stderr, never fail. */
export async function importContactsReport(a: App, dirOrFile: string, out: CliOutput) {
  const r = await importContacts({ store: a.store, reader: csvContactsReader }, dirOrFile);
  for (const w of r?.warnings ?? []) out.warn(formatProblem(w));
  if (r && r.ignored > r.warnings.length) out.warn(`${r.file}: ${r.ignored - r.warnings.length} more rows with unknown ids`);
  return r;
}

export function registerCampaignCommands(program: Command, withApp: WithApp, out: CliOutput): void {
  program
    .command('plan')
    .description('this week’s call list by expected loss, up to CAMPAIGN_CAPACITY, with offers and call statuses (drawn and stored on first ask)')
    .option('--json', 'machine-readable output, with the control group for `retention synth --next-period`')
    .action((o: { json?: boolean }) =>
      withApp(async (a) => {
        const plan = await a.campaign.planWeek();
        if (o.json) return out.json(weekPlanJson(plan));
        out.print(M.CAMPAIGN.planList(plan, a.config.digest.timezone, a.config.units));
      }),
    );

  program
    .command('contact')
    .argument('<id>', 'customer id on this week’s list', int)
    .requiredOption('--status <status>', 'offered | no_answer | declined', status)
    .option('--week <week>', 'the list’s ISO week (default: this week)', week)
    .option('--json', 'machine-readable output')
    .description('record what came of a call to a customer of the week’s list (a second call replaces the first)')
    .action((id: number, o: { status: ReturnType<typeof status>; week?: string; json?: boolean }) =>
      withApp(async (a) => {
        const r = await a.campaign.record({ customerId: id, status: o.status, userId: 0, chatId: 0, week: o.week });
        if (o.json) return out.json({ week: r.outreach.week, id, status: r.outreach.status, offer: r.outreach.offer, at: r.outreach.at, replaced: r.replaced, progress: r.progress });
        out.print(`${r.outreach.week} customer ${id}: ${r.outreach.status}${r.replaced ? ' (replaced the earlier outcome)' : ''}; ${r.progress.done} of ${r.progress.planned} done`);
      }),
    );

  program
    .command('campaign')
    .description('did the calls work: each measured week’s list against its control group, overall and per offer, with 95% intervals')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) =>
      withApp(async (a) => {
        const r = await a.campaign.results();
        if (o.json) return out.json(campaignResultsJson(r));
        out.print(M.CAMPAIGN.results(r, { weeks: Number.POSITIVE_INFINITY, units: a.config.units }));
      }),
    );

  program
    .command('contacts')
    .argument('<path>', 'contacts.csv, or a folder holding one')
    .option('--json', 'machine-readable output')
    .description('store customers’ names, phones and e-mails (id plus any of name/имя, phone/телефон, email/почта); unknown ids are warnings')
    .action((path: string, o: { json?: boolean }) =>
      withApp(async (a) => {
        const r = await importContactsReport(a, path, out);
        if (!r) throw new Error(`no contacts.csv in ${path}`);
        if (o.json) return out.json({ file: r.file, stored: r.stored, ignored: r.ignored, total: r.total, warnings: r.warnings });
        out.print(`${r.file}: contacts stored for ${r.stored} customers, ${r.ignored} rows ignored (unknown ids); ${r.total} customers have contacts`);
      }),
    );

  program
    .command('export')
    .argument('<what>', 'plan, or a segment: profitable | promo | cart | surfers | gadgets | at-risk (Russian aliases work too)')
    .requiredOption('--out <file>', 'FILE.xlsx (typed cells, frozen header, autofilter) or FILE.csv (`;`, decimal comma, for Russian Excel)')
    .description('the week’s call list or a segment as a spreadsheet: id, contacts, probability, band, main driver, segments, offer, profit, expected loss, call status')
    .action((what: string, o: { out: string }) =>
      withApp(async (a) => {
        const timeZone = a.config.digest.timezone;
        let entries;
        let sheetName;
        if (isPlanName(what)) {
          const plan = await a.campaign.planWeek();
          entries = plan.entries;
          sheetName = M.CAMPAIGN.exportUi.planSheet(plan.week);
        } else {
          const code = resolveSegment(what);
          if (!code) throw new NotFoundError('segment', what);
          entries = await a.campaign.segmentEntries((await a.assistant.segment(code, { members: 'all' })).members);
          sheetName = M.SEGMENT_TEXT[code].title;
        }
        const table = exportTable(entries, a.config.units);
        const csv = extname(o.out).toLowerCase() === '.csv';
        writeFileSync(o.out, csv ? spreadsheetWriter.csv(table, { timeZone }) : await spreadsheetWriter.xlsx(table, { sheetName, timeZone }));
        out.print(`${entries.length} customers → ${o.out}`);
      }),
    );
}
