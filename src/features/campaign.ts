/**
 * `/campaign`: did the calls work? Each measured week's list against its control group, overall
 * and per offer, intention to treat first and reached-only second, with the chart of the latest
 * latest conclusive week. Below the minimum group size the answer says it is too early and shows no effect.
 */
import type { CampaignResults, WeekResult } from '../core/campaign/index.ts';
import { text, type Reply } from '../core/reply.ts';
import * as M from '../messages.ts';
import type { CampaignServices } from './campaignServices.ts';
import type { ChartRenderer } from './charts/index.ts';
import { campaignDeclineChart } from './charts/specs.ts';
import type { Feature } from './feature.ts';

/**
 * The week the chart shows: the latest whose overall comparison is conclusive. A chart of groups
 * of four would show bars of 0% or 100% that read as results, whatever the caption says.
 */
export const chartedWeek = (r: CampaignResults): WeekResult | null => r.campaigns.findLast((w) => w.overall.conclusive) ?? null;

/** Weeks worded in the chat, newest first; `retention campaign` shows every week. */
export const WEEKS_IN_CHAT = 4;

export function campaignFeature(deps: { campaign: Pick<CampaignServices, 'results'>; charts: ChartRenderer; units: M.MoneyUnits }): Feature {
  return {
    command: 'campaign',
    description: M.CAMPAIGN.commands.campaign,
    access: 'allowed',
    async run(): Promise<Reply[]> {
      const r = await deps.campaign.results();
      const replies: Reply[] = [text(M.CAMPAIGN.results(r, { weeks: WEEKS_IN_CHAT, units: deps.units }))];
      const week = chartedWeek(r);
      if (week) replies.push({ type: 'photo', png: await deps.charts.render(campaignDeclineChart(week)), fileName: `campaign-${week.week}.png` });
      return replies;
    },
  };
}
