/**
 * The spreadsheets a manager opens in Excel: the week's call list or a segment, with the plan's
 * columns (id, contacts, probability, band, main driver, segments, offer, profit, expected loss,
 * call status). Cells are typed: numbers stay numbers, the probability is a percent, the call
 * time a date. The bot sends .xlsx; `retention export … --out FILE.csv` writes CSV for Russian Excel.
 */
import { planTable, type PlanEntry, type WeekPlan } from '../core/campaign/index.ts';
import type { SpreadsheetWriter, Table } from '../core/ports.ts';
import type { Reply } from '../core/reply.ts';
import type { SegmentCode } from '../core/segments.ts';
import * as M from '../messages.ts';

export const exportTable = (entries: readonly PlanEntry[], units: M.MoneyUnits): Table => planTable(entries, M.CAMPAIGN.table(units));

export type Workbook = SpreadsheetWriter['xlsx'];

export async function planWorkbook(plan: WeekPlan, xlsx: Workbook, timeZone: string, units: M.MoneyUnits): Promise<Reply> {
  return {
    type: 'document',
    content: await xlsx(exportTable(plan.entries, units), { sheetName: M.CAMPAIGN.exportUi.planSheet(plan.week), timeZone }),
    fileName: `plan-${plan.week}.xlsx`,
    caption: M.CAMPAIGN.exportUi.planCaption(plan.week, plan.entries.length),
  };
}

export async function segmentWorkbook(code: SegmentCode, entries: readonly PlanEntry[], xlsx: Workbook, timeZone: string, units: M.MoneyUnits): Promise<Reply> {
  const title = M.SEGMENT_TEXT[code].title;
  return {
    type: 'document',
    content: await xlsx(exportTable(entries, units), { sheetName: title, timeZone }),
    fileName: `segment-${code}.xlsx`,
    caption: M.CAMPAIGN.exportUi.segmentCaption(title, entries.length),
  };
}

/** «plan», «план», «план_недели»: the export of the week's list rather than a segment. */
export const isPlanName = (name: string) => /^(plan|план|план_недели|план недели)$/i.test(name.trim());
