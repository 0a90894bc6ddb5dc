/** `retention chart KIND`: the same pictures the bot sends, rendered from the active store. */
import type { App } from '../app/types.ts';
import { riskDistributionChart } from '../features/charts/index.ts';
import { atRiskTrendChart, customerDriversChart, featureImportanceChart, segmentSizesChart } from '../features/charts/specs.ts';
import { currentPeriod } from '../app/digest.ts';
import { TREND_WEEKS, weeklyTrend } from '../core/digest/view.ts';

export const CHART_KINDS = ['drivers', 'importance', 'segments', 'distribution', 'trend'] as const;

export async function renderChartKind(app: App, kind: string, opts: { id?: number }): Promise<Buffer> {
  const { assistant, charts } = app;
  switch (kind) {
    case 'drivers': {
      const id = opts.id ?? (await assistant.segment('at-risk', { members: 1 })).members[0]?.customer.id ?? assistant.storedScores()[0].id;
      return charts.render(customerDriversChart(id, (await assistant.risk(id)).drivers));
    }
    case 'importance':
      return charts.render(featureImportanceChart(assistant.topFeatures()));
    case 'segments':
      return charts.render(segmentSizesChart(await assistant.segments()));
    case 'distribution':
      return charts.render(riskDistributionChart({ probabilities: assistant.probabilities(), threshold: assistant.settings.risk.high }));
    case 'trend': {
      // The same weekly points the digest shows: recorded digests plus the current week.
      const period = currentPeriod(app.config);
      const history = app.store.digests.history(period.key, TREND_WEEKS - 1);
      return charts.render(atRiskTrendChart(weeklyTrend(history, period, (await assistant.segment('at-risk', { members: 0 })).size)));
    }
    default:
      throw new Error(`unknown chart kind: ${kind} (expected ${CHART_KINDS.join(', ')})`);
  }
}
