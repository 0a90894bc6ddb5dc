/** The week's list as a typed table for the spreadsheet writers; every word comes from `labels`. */
import type { FeatureName } from '../domain.ts';
import type { CampaignOffer, CustomerContact, OutreachStatus, Table, TableColumn } from '../ports.ts';
import type { Band } from '../risk.ts';
import type { SegmentCode } from '../segments.ts';
import type { PlanEntry } from './plan.ts';

export interface PlanTableLabels {
  headers: Record<PlanColumn, string>;
  band(band: Band): string;
  driver(feature: FeatureName): string;
  segment(code: SegmentCode): string;
  offer(offer: CampaignOffer): string;
  /** The text for «not called yet» comes in as null. */
  status(status: OutreachStatus | null): string;
  /** Default: name, phone and e-mail, comma-separated. */
  contact?(contact: CustomerContact): string;
}

export const PLAN_COLUMNS = ['id', 'contacts', 'probability', 'band', 'driver', 'segment', 'offer', 'profit', 'expectedLoss', 'status', 'contactedAt'] as const;
export type PlanColumn = (typeof PLAN_COLUMNS)[number];

const TYPES: Record<PlanColumn, Omit<TableColumn, 'header'>> = {
  id: { type: 'integer', width: 10 },
  contacts: { type: 'text', width: 36 },
  probability: { type: 'percent', width: 12 },
  band: { type: 'text', width: 12 },
  driver: { type: 'text', width: 36 },
  segment: { type: 'text', width: 30 },
  offer: { type: 'text', width: 48 },
  profit: { type: 'number', width: 12 },
  expectedLoss: { type: 'number', width: 14 },
  status: { type: 'text', width: 18 },
  contactedAt: { type: 'datetime', width: 18 },
};

const defaultContact = (c: CustomerContact) => [c.name, c.phone, c.email].filter(Boolean).join(', ');

export function planTable(entries: readonly PlanEntry[], labels: PlanTableLabels): Table {
  const contact = labels.contact ?? defaultContact;
  return {
    columns: PLAN_COLUMNS.map((c) => ({ header: labels.headers[c], ...TYPES[c] })),
    rows: entries.map((e) => [
      e.id,
      e.contact ? contact(e.contact) : null,
      e.probability,
      labels.band(e.band),
      e.driver ? labels.driver(e.driver.feature) : null,
      e.segments.map(labels.segment).join(', ') || null,
      labels.offer(e.offer),
      e.profit,
      e.expectedLoss,
      labels.status(e.status),
      e.contactedAt ? new Date(e.contactedAt) : null,
    ]),
  };
}
