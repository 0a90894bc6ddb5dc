/**
 * `/segment [NAME]` and `/export [NAME]`. Without a name: the keyboard (and, for /segment, the
 * overview chart of all segments); with one: the segment's summary with a chart about that
 * segment, or its members as CSV.
 */
import type { Assistant } from '../core/assistant.ts';
import { text, type Reply } from '../core/reply.ts';
import { bandOf, type BandThresholds } from '../core/risk.ts';
import { SEGMENT_CODES, type SegmentCode } from '../core/segments.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { segmentMembersChart, segmentOverviewChart } from './charts/specs.ts';
import { toCsv } from './csv.ts';
import type { Feature } from './feature.ts';
import { resolveSegment } from './segmentNames.ts';

type Kind = 'segment' | 'export';

function segmentKeyboard(kind: Kind, prompt: string): Reply {
  const buttons = SEGMENT_CODES.map((code) => [{ text: M.SEGMENT_TEXT[code].title, data: { kind, code } }]);
  return text(prompt, buttons);
}

/** Both commands take a segment name; without one, or with an unknown one, they offer the keyboard. */
function segmentCommand(kind: Kind, answer: (code: SegmentCode) => Promise<Reply[]>, bare: () => Promise<Reply[]>): Feature {
  const choose = kind === 'segment' ? M.SEGMENT_UI.choose : M.SEGMENT_UI.chooseExport;
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
  assistant: Pick<Assistant, 'segment' | 'segments'>;
  charts: ChartRenderer;
  units: M.MoneyUnits;
}

export function segmentFeature({ assistant, charts, units }: SegmentFeatureDeps): Feature {
  return segmentCommand(
    'segment',
    async (code) => {
      const s = assistant.segment(code);
      const png = await charts.render(segmentMembersChart(s, units));
      return [
        text(M.segmentText(s, units), [[{ text: M.SEGMENT_UI.exportButton, data: { kind: 'export', code } }]]),
        { type: 'photo', png, fileName: `segment-${code}.png` },
      ];
    },
    async () => [{ type: 'photo', png: await charts.render(segmentOverviewChart(assistant.segments(), units)), fileName: 'segments.png' }],
  );
}

export function exportFeature(deps: { assistant: Pick<Assistant, 'segment'>; thresholds: BandThresholds; units: M.MoneyUnits }): Feature {
  return segmentCommand(
    'export',
    async (code) => {
      const s = deps.assistant.segment(code);
      const rows = s.members.map((m) => [
        m.customer.id,
        m.probability.toFixed(4),
        M.BAND_LABELS[bandOf(m.probability, deps.thresholds)],
        m.customer.profit,
        m.priority.toFixed(4),
        m.customer.popularCategory,
      ]);
      return [
        {
          type: 'document',
          content: toCsv(M.EXPORT_HEADER(deps.units), rows),
          fileName: `segment-${code}.csv`,
          caption: M.SEGMENT_UI.exportCaption(M.SEGMENT_TEXT[code].title, s.size),
        },
      ];
    },
    async () => [],
  );
}
