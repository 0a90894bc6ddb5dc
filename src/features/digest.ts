/** The weekly digest as messages: the text, the at-risk trend chart and the full list as CSV. */
import type { DigestView } from '../core/digest/view.ts';
import type { Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { atRiskTrendChart } from './charts/specs.ts';
import { toCsv } from './csv.ts';

export function digestCsv(view: DigestView, units: M.MoneyUnits): Buffer {
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
  return toCsv(M.DIGEST.csvHeader(units), rows);
}

export async function digestParts(view: DigestView, charts: ChartRenderer, units: M.MoneyUnits): Promise<Reply[]> {
  const png = await charts.render(atRiskTrendChart(view.trend));
  return [
    { type: 'text', text: M.DIGEST.text(view, units) },
    { type: 'photo', png, fileName: `trend-${view.period.key}.png` },
    {
      type: 'document',
      content: digestCsv(view, units),
      fileName: `digest-${view.period.key}.csv`,
      caption: M.DIGEST.csvCaption(view.atRisk.count),
    },
  ];
}
