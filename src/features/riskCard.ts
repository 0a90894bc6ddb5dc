/**
 * The text and buttons of a /risk answer. A customer on this week's call list gets the list's
 * offer, the call status and the status buttons; a held-out one is marked «не звоним», so a
 * manager who looks them up does not spoil the measurement. Contacts and the CRM link go to any
 * card. The card is redrawn in place after a status press.
 */
import type { Assistant, RiskAnswer } from '../core/assistant.ts';
import type { Button } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { CampaignServices } from './campaignServices.ts';
import { statusButtons } from './outreach.ts';

export interface RiskCardDeps {
  assistant: Pick<Assistant, 'risk'>;
  /** Without it the card is the plain risk answer. */
  campaign?: Pick<CampaignServices, 'standing' | 'contact' | 'crmUrl'>;
  timeZone: string;
  units: M.MoneyUnits;
}

export interface RiskCard {
  risk: RiskAnswer;
  text: string;
  buttons: Button[][];
}

/** Inserts `line` after the card's first line (the customer's id). */
const afterHeader = (card: string, line: string | null) => {
  if (!line) return card;
  const cut = card.indexOf('\n');
  return cut < 0 ? `${card}\n${line}` : `${card.slice(0, cut)}\n${line}${card.slice(cut)}`;
};

export async function riskCard(deps: RiskCardDeps, id: number): Promise<RiskCard> {
  const risk = await deps.assistant.risk(id);
  if (!deps.campaign) return { risk, text: M.riskText(risk, deps.units), buttons: [] };
  const standing = await deps.campaign.standing(id);
  const entry = standing.arm === 'treated' ? standing.entry : null;
  const contact = entry?.contact ?? (await deps.campaign.contact(id));
  const crm = entry ? entry.crmUrl : deps.campaign.crmUrl(id);
  // A planned customer gets the list's offer, which is what the status press records.
  const body = M.riskText(entry ? { ...risk, offer: entry.offer } : risk, deps.units);
  const block =
    standing.arm === 'treated'
      ? M.CAMPAIGN.riskCard.planned(standing.entry, standing.place, standing.listed, deps.timeZone)
      : standing.arm === 'control'
        ? M.CAMPAIGN.riskCard.heldOut
        : risk.band === 'high'
          ? M.CAMPAIGN.riskCard.notPlanned
          : null;
  const buttons: Button[][] = [];
  if (entry) buttons.push(statusButtons({ week: standing.week, id, status: entry.status, page: null }));
  if (crm) buttons.push([{ text: M.CAMPAIGN.crmButton, url: crm }]);
  return {
    risk,
    text: [afterHeader(body, contact ? M.CAMPAIGN.riskCard.contact(contact) : null), ...(block ? ['', block] : [])].join('\n'),
    buttons,
  };
}
