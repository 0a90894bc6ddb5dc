/** The weekly digest as messages: the text, the at-risk trend chart and the full list as CSV. */
import type { ChartRenderer } from '../core/charts/index.ts';
import { atRiskTrendChart } from './charts.ts';
import type { DigestView } from '../core/digest/view.ts';
import type { DigestPart } from '../core/ports.ts';
import * as M from '../messages.ts';
import { toCsv } from './csv.ts';
import { MESSAGE_LIMIT } from './replies.ts';

/** The digest text, with fewer customers listed in the unlikely case ten do not fit one message. */
export function digestText(view: DigestView): string {
  for (let n = view.top.length; n > 0; n--) {
    const text = M.DIGEST.text({ ...view, top: view.top.slice(0, n) });
    if (text.length <= MESSAGE_LIMIT) return text;
  }
  return M.DIGEST.text({ ...view, top: [] }).slice(0, MESSAGE_LIMIT);
}

export function digestCsv(view: DigestView): Buffer {
  const known = view.change !== null;
  const rows = view.atRisk.customers.map((c) => [
    c.id,
    c.probability.toFixed(4),
    c.profit,
    c.priority.toFixed(4),
    known ? (c.isNew ? M.DIGEST.yes : M.DIGEST.no) : '',
    c.segments
      .filter((s) => s !== 'at-risk')
      .map((s) => M.SEGMENT_TEXT[s].title)
      .join('; '),
    M.OFFER_TEXT[c.offer].action,
  ]);
  return toCsv(M.DIGEST.csvHeader, rows);
}

export async function digestParts(view: DigestView, charts: ChartRenderer): Promise<DigestPart[]> {
  const png = await charts.render(atRiskTrendChart(view.trend));
  return [
    { type: 'text', text: digestText(view) },
    { type: 'photo', png, fileName: `trend-${view.period.key}.png` },
    {
      type: 'document',
      content: digestCsv(view),
      fileName: `digest-${view.period.key}.csv`,
      caption: M.DIGEST.csvCaption(view.atRisk.count),
    },
  ];
}
