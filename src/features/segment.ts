/**
 * `/segment [NAME]` and `/export [NAME]`. Without a name: the keyboard (and, for /segment, the
 * overview chart of all segments); with one: the segment's summary with a chart about that
 * segment, or its members (or the week's plan) as an Excel workbook.
 */
import type { Assistant } from '../core/assistant.ts';
import { text, type Button, type Reply } from '../core/reply.ts';
import { SEGMENT_CODES, type SegmentCode } from '../core/segments.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { segmentMembersChart, segmentOverviewChart } from './charts/specs.ts';
import type { CampaignServices } from './campaignServices.ts';
import { isPlanName, planWorkbook, segmentWorkbook, type Workbook } from './export.ts';
import type { Feature } from './feature.ts';
import { resolveSegment } from './segmentNames.ts';

type Kind = 'segment' | 'export';

function segmentKeyboard(kind: Kind, prompt: string): Reply {
  const buttons: Button[][] = SEGMENT_CODES.map((code) => [{ text: M.SEGMENT_TEXT[code].title, data: { kind, code } }]);
  if (kind === 'export') buttons.push([{ text: M.CAMPAIGN.exportUi.planButton, data: { kind, code: 'plan' } }]);
  return text(prompt, buttons);
}

/** Both commands take a segment name; without one, or with an unknown one, they offer the keyboard. */
function segmentCommand(kind: Kind, answer: (code: SegmentCode) => Promise<Reply[]>, bare: () => Promise<Reply[]>): Feature {
  const choose = kind === 'segment' ? M.SEGMENT_UI.choose : M.CAMPAIGN.exportUi.choose;
  const byName = (name: string) => {
    const code = resolveSegment(name);
    // One message: the question and its keyboard (an old or forged button lands here too).
    return code ? answer(code) : Promise.resolve([segmentKeyboard(kind, M.SEGMENT_UI.unknown(name))]);
  };
  return {
    command: kind,
    description: M.COMMAND_DESCRIPTIONS[kind],
    access: 'allowed',
    async run(_user, args) {
      if (!args) return [segmentKeyboard(kind, choose), ...(await bare())];
      return byName(args);
    },
    callbacks: kind === 'segment' ? { segment: (_u, d) => byName(d.code) } : { export: (_u, d) => byName(d.code) },
  };
}

export interface SegmentFeatureDeps {
  assistant: Pick<Assistant, 'segment' | 'segmentOverview'>;
  charts: ChartRenderer;
  units: M.MoneyUnits;
}

export function segmentFeature({ assistant, charts, units }: SegmentFeatureDeps): Feature {
  return segmentCommand(
    'segment',
    async (code) => {
      const s = await assistant.segment(code);
      const png = await charts.render(segmentMembersChart(s, units));
      return [
        text(M.segmentText(s, units), [[{ text: M.CAMPAIGN.exportUi.button, data: { kind: 'export', code } }]]),
        { type: 'photo', png, fileName: `segment-${code}.png` },
      ];
    },
    async () => [{ type: 'photo', png: await charts.render(segmentOverviewChart(await assistant.segmentOverview(), units)), fileName: 'segments.png' }],
  );
}

export interface ExportFeatureDeps {
  assistant: Pick<Assistant, 'segment'>;
  campaign: Pick<CampaignServices, 'planWeek' | 'segmentEntries'>;
  /** The .xlsx writer (src/data's spreadsheetWriter). */
  xlsx: Workbook;
  timeZone: string;
  units: M.MoneyUnits;
}

/** `/export NAME`: a segment, or the week's call list («plan»), as an Excel workbook. */
export function exportFeature(deps: ExportFeatureDeps): Feature {
  const plan = async () => [await planWorkbook(await deps.campaign.planWeek(), deps.xlsx, deps.timeZone, deps.units)];
  const segments = segmentCommand(
    'export',
    async (code) => {
      const s = await deps.assistant.segment(code, { members: 'all' });
      return [await segmentWorkbook(code, await deps.campaign.segmentEntries(s.members), deps.xlsx, deps.timeZone, deps.units)];
    },
    async () => [],
  );
  return {
    ...segments,
    description: M.CAMPAIGN.commands.export,
    run: (user, args) => (isPlanName(args) ? plan() : segments.run(user, args)),
    callbacks: { export: (user, d) => (d.code === 'plan' ? plan() : segments.callbacks!.export!(user, d)) },
  };
}
