/** `/segment NAME` and `/export NAME`: a segment's summary with its chart, or its members (or the week's plan) as Excel. */
import type { Assistant } from '../core/assistant.ts';
import { NotFoundError } from '../core/errors.ts';
import { text, type Button, type Reply } from '../core/reply.ts';
import { SEGMENT_CODES, type SegmentCode } from '../core/segments.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { segmentSizesChart } from './charts/specs.ts';
import type { CampaignServices } from './campaignServices.ts';
import { isPlanName, planWorkbook, segmentWorkbook, type Workbook } from './export.ts';
import type { Feature } from './feature.ts';
import { resolveSegment } from './segmentNames.ts';

type Kind = 'segment' | 'export';

function segmentKeyboard(kind: Kind): Reply {
  const buttons: Button[][] = SEGMENT_CODES.map((code) => [{ text: M.SEGMENT_TEXT[code].title, data: { kind, code } }]);
  if (kind === 'export') buttons.push([{ text: M.CAMPAIGN.exportUi.planButton, data: { kind, code: 'plan' } }]);
  return text(kind === 'segment' ? M.SEGMENT_UI.choose : M.CAMPAIGN.exportUi.choose, buttons);
}

/** Both commands take a segment name; without one, or with an unknown one, they offer the keyboard. */
function segmentCommand(kind: Kind, answer: (code: SegmentCode) => Promise<Reply[]>): Feature {
  const byName = (name: string) => {
    const code = resolveSegment(name);
    if (!code) throw new NotFoundError('segment', name);
    return answer(code);
  };
  return {
    command: kind,
    description: M.COMMAND_DESCRIPTIONS[kind],
    access: 'allowed',
    async run(_user, args) {
      if (!args) return [segmentKeyboard(kind)];
      if (!resolveSegment(args)) return [text(M.SEGMENT_UI.unknown(args)), segmentKeyboard(kind)];
      return byName(args);
    },
    callbacks: kind === 'segment' ? { segment: (_u, d) => byName(d.code) } : { export: (_u, d) => byName(d.code) },
  };
}

export function segmentFeature(deps: { assistant: Pick<Assistant, 'segments'>; charts: ChartRenderer }): Feature {
  return segmentCommand('segment', async (code) => {
    // One pass gives both the chart's context and this segment.
    const all = deps.assistant.segments();
    const s = all.find((x) => x.code === code)!;
    const png = await deps.charts.render(segmentSizesChart(all));
    return [
      text(M.segmentText(s), [[{ text: M.CAMPAIGN.exportUi.button, data: { kind: 'export', code } }]]),
      { type: 'photo', png, fileName: `segment-${code}.png` },
    ];
  });
}

export interface ExportFeatureDeps {
  assistant: Pick<Assistant, 'segment'>;
  campaign: Pick<CampaignServices, 'planWeek' | 'segmentEntries'>;
  /** The .xlsx writer (src/data's spreadsheetWriter). */
  xlsx: Workbook;
  timeZone: string;
}

/** `/export NAME`: a segment, or the week's call list («plan»), as an Excel workbook. */
export function exportFeature(deps: ExportFeatureDeps): Feature {
  const plan = async () => [await planWorkbook(deps.campaign.planWeek(), deps.xlsx, deps.timeZone)];
  const segments = segmentCommand('export', async (code) => {
    const s = deps.assistant.segment(code);
    return [await segmentWorkbook(code, deps.campaign.segmentEntries(s.members), deps.xlsx, deps.timeZone)];
  });
  return {
    ...segments,
    description: M.CAMPAIGN.commands.export,
    run: (user, args) => (isPlanName(args) ? plan() : segments.run(user, args)),
    callbacks: { export: (user, d) => (d.code === 'plan' ? plan() : segments.callbacks!.export!(user, d)) },
  };
}
