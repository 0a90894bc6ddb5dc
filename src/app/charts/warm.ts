/** One chart of every kind, drawn when a renderer starts so no answer pays Chart.js's first-use cost for its kind. */
import { driversChart, importanceChart, riskDistributionChart, segmentsChart, trendChart, type ChartConfig, type ChartRenderer } from '../../features/charts/index.ts';

const WARM_CHARTS: readonly (() => ChartConfig)[] = [
  () => driversChart({ customerId: 1, drivers: [{ label: 'а', value: 0.1 }, { label: 'б', value: -0.1 }] }),
  () => importanceChart({ features: [{ label: 'а', importance: 0.1 }] }),
  () => segmentsChart({ segments: [{ title: 'а', size: 1, profitAtStake: 1 }] }),
  () => riskDistributionChart({ probabilities: [0.1, 0.9], threshold: 0.7 }),
  () => trendChart({ points: [{ label: 'а', atRisk: 1 }, { label: 'б', atRisk: 2 }] }),
];

export async function warmCharts(renderer: ChartRenderer): Promise<void> {
  for (const chart of WARM_CHARTS) await renderer.render(chart());
}
