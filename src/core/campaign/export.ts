/** The week's list (or a segment) as a typed table for the spreadsheet writers; every word comes from `labels`. */
import type { Customer, FeatureName } from '../domain.ts';
import { toFrame } from '../features.ts';
import type { CampaignOffer, CustomerContact, OutreachStatus, Table, TableColumn } from '../ports.ts';
import { bandOf, driverOf, strongestReason, type Band } from '../risk.ts';
import { offerFor, type SegmentCode, type SegmentMember } from '../segments.ts';
import { crmUrl } from './contacts.ts';
import { currentWeek, weekPlan, type PlanEntry } from './plan.ts';
import type { CampaignDeps } from './settings.ts';

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

/** Customers of a segment export explained for their main driver; the rest get none. */
export const EXPLAINED_IN_EXPORT = 50;

/**
 * A segment's members as rows of the plan's columns, in the given order. A customer on this
 * week's list carries the list's offer and call status (what the manager records); anyone else the
 * offer /risk names for their segments. The main driver is the strongest risk-raising one that is
 * not an indirect signal (src/core/indirect.ts), for the first `explain` customers only: an
 * explanation costs up to ~30 ms with KNN or SVC, so a whole at-risk segment (hundreds) would hold
 * the bot for seconds.
 */
export async function segmentEntries(deps: CampaignDeps, members: readonly SegmentMember[], opts: { explain?: number } = {}): Promise<PlanEntry[]> {
  const { store, settings } = deps;
  const loaded = await deps.model.get();
  const { meta } = loaded;
  const planned = new Map(((await weekPlan(deps, currentWeek(deps)))?.entries ?? []).map((e) => [e.id, e]));
  const contacts = new Map((await store.contacts.byIds(members.map((m) => m.customer.id))).map((c) => [c.id, c]));
  // Members carry only what a segment page stores: the explained ones are read whole, by primary key.
  const explained = (
    await Promise.all(members.slice(0, opts.explain ?? EXPLAINED_IN_EXPORT).map((m) => store.datasets.customer(meta.datasetVersion, m.customer.id)))
  ).filter((c): c is Customer => c !== null);
  const byId = new Map(explained.map((c, i) => [c.id, i]));
  const X = toFrame(explained);
  const stored = await Promise.all(explained.map((c) => store.explanations.get(meta.version, c.id)));
  // The head of every segment is stored at train time (src/core/training.ts); others are explained here.
  const explain = (i: number) => stored[i] ?? loaded.model.explain(X, i);
  return members.map((m, i): PlanEntry => {
    const id = m.customer.id;
    const segments = m.segments;
    const entry = planned.get(id);
    const offer = entry?.offer ?? offerFor(segments);
    const k = byId.get(id);
    const customer = k === undefined ? null : explained[k];
    const top = customer && k !== undefined ? strongestReason(explain(k), loaded.indirect) : null;
    return {
      id,
      rank: i + 1,
      probability: m.probability,
      band: bandOf(m.probability, settings.risk),
      profit: m.customer.profit,
      expectedLoss: m.probability * m.customer.profit,
      // Every member of a segment has at least a value offer; 'keep' cannot occur here.
      offer: offer === 'keep' ? 'at-risk' : offer,
      driver: top && customer && driverOf(customer, loaded.stats, top.feature as FeatureName, top.contribution),
      segments,
      status: entry?.status ?? null,
      contactedAt: entry?.contactedAt ?? null,
      contact: contacts.get(id) ?? null,
      crmUrl: crmUrl(settings.crmUrlTemplate, id),
    };
  });
}
