/** `retention chart KIND`: the same pictures the bot sends, rendered from the active store. */
import type { App } from '../main.ts';
import {
  driversChart,
  importanceChart,
  riskDistributionChart,
  segmentsChart,
  trendChart,
} from '../core/charts/index.ts';
import * as M from '../messages.ts';
import { currentPeriod } from '../app/digest.ts';
import { periodFromKey } from '../core/digest/period.ts';
import { TREND_WEEKS } from '../core/digest/view.ts';

export const CHART_KINDS = ['drivers', 'importance', 'segments', 'distribution', 'trend'] as const;

export async function renderChartKind(app: App, kind: string, opts: { id?: number }): Promise<Buffer> {
  const { assistant, charts } = app;
  switch (kind) {
    case 'drivers': {
      const id = opts.id ?? assistant.segment('at-risk').members[0]?.customer.id ?? assistant.storedScores()[0].id;
      const r = assistant.risk(id);
      return charts.render(
        driversChart({ customerId: id, drivers: r.drivers.map((d) => ({ label: M.describeDriver(d), value: d.contribution })) }),
      );
    }
    case 'importance':
      return charts.render(
        importanceChart({ features: assistant.topFeatures().map((f) => ({ label: M.featureLabel(f.feature), importance: f.importance })) }),
      );
    case 'segments':
      return charts.render(
        segmentsChart({
          segments: assistant.segments().map((s) => ({ title: M.SEGMENT_TEXT[s.code].title, size: s.size, profitAtStake: s.profitAtStake })),
        }),
      );
    case 'distribution':
      return charts.render(riskDistributionChart({ probabilities: assistant.probabilities(), threshold: assistant.settings.risk.high }));
    case 'trend': {
      // The same weekly points the digest shows: recorded digests plus the current week.
      const period = currentPeriod(app.config);
      const history = app.store.digests.history(period.key, TREND_WEEKS - 1);
      const points = [
        ...history.map((h) => ({ label: M.fmtWeekLabel(periodFromKey(h.period)), atRisk: h.atRiskCount })),
        { label: M.fmtWeekLabel(period), atRisk: assistant.segment('at-risk').size },
      ];
      return charts.render(trendChart({ points }));
    }
    default:
      throw new Error(`unknown chart kind: ${kind} (expected ${CHART_KINDS.join(', ')})`);
  }
}
