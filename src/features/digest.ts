/** The weekly digest as messages: the text, the at-risk trend chart and the full list as CSV. */
import type { WeekResult } from '../core/campaign/index.ts';
import type { DigestView } from '../core/digest/view.ts';
import type { CustomerContact } from '../core/ports.ts';
import type { Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { ChartRenderer } from './charts/index.ts';
import { atRiskTrendChart } from './charts/specs.ts';
import { toCsv } from './csv.ts';

/** What the digest says beyond the at-risk view: contacts and the campaign's latest result. */
export interface DigestExtras {
  /** Contacts of at-risk customers that have any. */
  contacts?: ReadonlyMap<number, CustomerContact>;
  /** The latest measured campaign week, for one line of the text. */
  campaign?: WeekResult | null;
}

const contactCell = (c: CustomerContact | undefined) => (c ? [c.name, c.phone, c.email].filter(Boolean).join(', ') : '');

export function digestCsv(view: DigestView, units: M.MoneyUnits, extras: DigestExtras = {}): Buffer {
  const known = view.change !== null;
  const withContacts = (extras.contacts?.size ?? 0) > 0;
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
    ...(withContacts ? [contactCell(extras.contacts!.get(c.id))] : []),
  ]);
  return toCsv(withContacts ? [...M.DIGEST.csvHeader(units), M.CAMPAIGN.digestContactsHeader] : M.DIGEST.csvHeader(units), rows);
}

/** The digest's text with the extras put before its closing line. */
function digestText(view: DigestView, units: M.MoneyUnits, extras: DigestExtras): string {
  const body = M.DIGEST.text(view, units);
  const contacts = view.top.flatMap((c) => {
    const contact = extras.contacts?.get(c.id);
    return contact ? [{ id: c.id, contact }] : [];
  });
  const added = [...(contacts.length ? [M.CAMPAIGN.digestContacts(contacts)] : []), ...(extras.campaign ? [M.CAMPAIGN.digestLine(extras.campaign)] : [])];
  if (!added.length) return body;
  const cut = body.lastIndexOf('\n\n');
  return cut < 0 ? [body, ...added].join('\n\n') : [body.slice(0, cut), ...added, body.slice(cut + 2)].join('\n\n');
}

export async function digestParts(view: DigestView, charts: ChartRenderer, units: M.MoneyUnits, extras: DigestExtras = {}): Promise<Reply[]> {
  const png = await charts.render(atRiskTrendChart(view.trend));
  return [
    { type: 'text', text: digestText(view, units, extras) },
    { type: 'photo', png, fileName: `trend-${view.period.key}.png` },
    {
      type: 'document',
      content: digestCsv(view, units, extras),
      fileName: `digest-${view.period.key}.csv`,
      caption: M.DIGEST.csvCaption(view.atRisk.count),
    },
  ];
}
