/**
 * `/plan`: this week's call list, five customers a page. Each customer has a row of status
 * buttons numbered like the list; a press records the outcome and redraws the page in place, so
 * the list, the ticks and «сделано N из M» stay in one message however many calls are made.
 * «Дальше ▶» and «◀ Назад» turn the same message's page. The control group is never listed.
 */
import type { WeekPlan } from '../core/campaign/index.ts';
import { edit, text, type Answer, type Button, type Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { CampaignServices } from './campaignServices.ts';
import type { Feature } from './feature.ts';
import { recordCall, statusButtons } from './outreach.ts';
import type { RiskCardDeps } from './riskCard.ts';
import { riskCard } from './riskCard.ts';

/** Five customers (about 1 500 characters) read on a phone without scrolling far, and fit the 4 096 limit with room. */
export const PAGE_SIZE = 5;

export const pageCount = (plan: WeekPlan) => Math.max(1, Math.ceil(plan.entries.length / PAGE_SIZE));

/** A page's text and buttons: status rows, the CRM links, then turning pages and the Excel file. */
export function planPage(plan: WeekPlan, page: number, timeZone: string, units: M.MoneyUnits): { text: string; buttons: Button[][] } {
  const pages = pageCount(plan);
  const first = (page - 1) * PAGE_SIZE;
  const entries = plan.entries.slice(first, first + PAGE_SIZE);
  const crm = entries.some((e) => e.crmUrl);
  const rows: Button[][] = entries.map((e, i) => statusButtons({ week: plan.week, id: e.id, status: e.status, page, n: first + i + 1 }));
  if (crm) {
    rows.push(entries.flatMap((e, i) => (e.crmUrl ? [{ text: M.CAMPAIGN.crmListButton(first + i + 1), url: e.crmUrl }] : [])));
  }
  const nav: Button[] = [];
  if (page > 1) nav.push({ text: M.CAMPAIGN.back, data: { kind: 'plan', week: plan.week, page: page - 1 } });
  if (plan.entries.length) nav.push({ text: M.CAMPAIGN.excelButton, data: { kind: 'export', code: 'plan' } });
  if (page < pages) nav.push({ text: M.CAMPAIGN.next, data: { kind: 'plan', week: plan.week, page: page + 1 } });
  if (nav.length) rows.push(nav);
  return { text: M.CAMPAIGN.planPage({ plan, entries, first: first + 1, page, pages, timeZone, crm, units }), buttons: rows };
}

export interface PlanFeatureDeps {
  campaign: Pick<CampaignServices, 'planWeek' | 'weekPlan' | 'record'>;
  /** Redraws a /risk card after a press on it. */
  card: RiskCardDeps;
  timeZone: string;
  units: M.MoneyUnits;
}

export function planFeature(deps: PlanFeatureDeps): Feature {
  const { campaign, timeZone, units } = deps;

  /** A page of a stored week (buttons name their week, so an old message keeps its own list). */
  async function redrawPage(week: string, page: number): Promise<Answer> {
    const plan = await campaign.weekPlan(week);
    if (!plan) return text(M.CAMPAIGN.refused.no_plan(week));
    const p = planPage(plan, Math.min(page, pageCount(plan)), timeZone, units);
    return edit(p.text, p.buttons);
  }

  return {
    command: 'plan',
    description: M.CAMPAIGN.commands.plan,
    access: 'allowed',
    async run(_user, args): Promise<Reply[]> {
      const plan = await campaign.planWeek();
      const page = args ? Number(args.trim()) : 1;
      if (!Number.isInteger(page) || page < 1 || page > pageCount(plan)) return [text(M.CAMPAIGN.noSuchPage(pageCount(plan)))];
      const p = planPage(plan, page, timeZone, units);
      return [text(p.text, p.buttons)];
    },
    callbacks: {
      plan: async (_user, d) => [await redrawPage(d.week, d.page)],
      outreach: async (user, d) => {
        const r = await recordCall(campaign, user, { id: d.id, status: d.status, week: d.week });
        if ('refused' in r) return [r.refused];
        if (d.page !== null) return [await redrawPage(d.week, d.page)];
        const card = await riskCard(deps.card, d.id);
        return [edit(card.text, card.buttons)];
      },
    },
  };
}
