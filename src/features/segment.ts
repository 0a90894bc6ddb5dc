/** `/segment NAME` and `/export NAME`: a segment's summary with its chart, or its members as CSV. */
import type { Assistant } from '../core/assistant.ts';
import { NotFoundError } from '../core/errors.ts';
import { text, type Reply } from '../core/reply.ts';
import { bandOf, type BandThresholds } from '../core/risk.ts';
import { SEGMENT_CODES, type SegmentCode } from '../core/segments.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { segmentSizesChart } from './charts/specs.ts';
import { toCsv } from './csv.ts';
import type { Feature } from './feature.ts';
import { resolveSegment } from './segmentNames.ts';

type Kind = 'segment' | 'export';

function segmentKeyboard(kind: Kind): Reply {
  const buttons = SEGMENT_CODES.map((code) => [{ text: M.SEGMENT_TEXT[code].title, data: { kind, code } }]);
  return text(kind === 'segment' ? M.SEGMENT_UI.choose : M.SEGMENT_UI.chooseExport, buttons);
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
    const all = await deps.assistant.segments();
    const s = all.find((x) => x.code === code)!;
    const png = await deps.charts.render(segmentSizesChart(all));
    return [
      text(M.segmentText(s), [[{ text: M.SEGMENT_UI.exportButton, data: { kind: 'export', code } }]]),
      { type: 'photo', png, fileName: `segment-${code}.png` },
    ];
  });
}

export function exportFeature(deps: { assistant: Pick<Assistant, 'segment'>; thresholds: BandThresholds }): Feature {
  return segmentCommand('export', async (code) => {
    const s = await deps.assistant.segment(code, { members: 'all' });
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
        content: toCsv(M.EXPORT_HEADER, rows),
        fileName: `segment-${code}.csv`,
        caption: M.SEGMENT_UI.exportCaption(M.SEGMENT_TEXT[code].title, s.size),
      },
    ];
  });
}
