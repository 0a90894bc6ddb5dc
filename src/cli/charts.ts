/** `retention chart KIND`: the same pictures the bot sends, rendered from the active store. */
import type { App } from '../app/types.ts';
import {
  atRiskTrendChart,
  customerDriversChart,
  featureImportanceChart,
  riskDistributionSpec,
  segmentMembersChart,
  segmentOverviewChart,
  campaignDeclineChart,
} from '../features/charts/specs.ts';
import { resolveSegment } from '../features/segmentNames.ts';
import { currentPeriod } from '../app/digest.ts';
import { chartedWeek } from '../features/campaign.ts';
import { TREND_WEEKS, weeklyTrend } from '../core/digest/view.ts';
import { NotFoundError } from '../core/errors.ts';
import { CLI } from '../messages.ts';

export const CHART_KINDS = ['drivers', 'importance', 'segments', 'segment', 'distribution', 'trend', 'campaign'] as const;

export async function renderChartKind(app: App, kind: string, opts: { id?: number; segment?: string }): Promise<Buffer> {
  const { assistant, charts } = app;
  const units = app.config.units;
  switch (kind) {
    case 'drivers': {
      const id = opts.id ?? (await assistant.segment('at-risk', { members: 1 })).members[0]?.customer.id ?? (await assistant.storedScores())[0].id;
      return charts.render(customerDriversChart(await assistant.risk(id), units));
    }
    case 'importance':
      return charts.render(featureImportanceChart(await assistant.topFeatures()));
    case 'segments':
      return charts.render(segmentOverviewChart(await assistant.segmentOverview(), units));
    case 'segment': {
      const name = opts.segment ?? 'profitable';
      const code = resolveSegment(name);
      if (!code) throw new NotFoundError('segment', name);
      return charts.render(segmentMembersChart(await assistant.segment(code), units));
    }
    case 'distribution':
      return charts.render(riskDistributionSpec(await assistant.probabilities(), assistant.settings.risk.high));
    case 'trend': {
      // The same weekly points the digest shows: recorded digests plus the current week.
      const period = currentPeriod(app.config);
      const history = await app.store.digests.history(period.key, TREND_WEEKS - 1);
      return charts.render(atRiskTrendChart(weeklyTrend(history, period, (await assistant.segment('at-risk', { members: 0 })).size)));
    }
    case 'campaign': {
      const week = chartedWeek(await app.campaign.results());
      if (!week) throw new Error(CLI.noCampaignChart);
      return charts.render(campaignDeclineChart(week));
    }
    default:
      throw new Error(CLI.unknownChart(kind, CHART_KINDS));
  }
}
