/**
 * One chart of every kind, drawn when a renderer starts so no answer pays Chart.js's first-use cost
 * for its kind; the /risk drivers chart, the one asked most, a few more times at its real size
 * (seven long feature labels), so its code is compiled before the first manager's /risk.
 */
import { FEATURE_LABELS } from '../../messages.ts';
import { campaignChart, driversChart, importanceChart, riskDistributionChart, segmentsChart, trendChart, type ChartConfig, type ChartRenderer } from '../../features/charts/index.ts';
import { membersChart } from '../../features/charts/members.ts';

const WARM_CHARTS: readonly (() => ChartConfig)[] = [
  () => driversChart({ customerId: 1, baseRate: 0.3, probability: 0.3, drivers: [{ label: 'а', value: 0.1 }, { label: 'б', value: -0.1 }] }),
  () => importanceChart({ features: [{ label: 'а', share: 100, direction: null }] }),
  () => segmentsChart({ segments: [{ title: 'а', size: 1, shared: 0, loss: 1, lossLabel: 'а' }], subtitle: null, lossAxis: 'а' }),
  () => riskDistributionChart({ probabilities: [0.1, 0.9], threshold: 0.7 }),
  () => membersChart({ title: 'а', subtitle: null, axis: 'а', members: [{ label: 'а', value: 1, valueLabel: 'а' }], more: null, emptyNote: 'а' }),
  () => campaignChart({ subtitle: 'а', groups: [{ label: 'а', treated: { rate: 0.2, low: 0.1, high: 0.3 }, control: { rate: 0.3, low: 0.2, high: 0.4 }, conclusive: true }] }),
  () => trendChart({ points: [{ label: 'а', atRisk: 1 }, { label: 'б', atRisk: 2 }] }),
];

const labels = Object.values(FEATURE_LABELS);
const realisticDrivers = (k: number) =>
  driversChart({
    customerId: 100_000 + k,
    baseRate: 0.39,
    probability: 0.9,
    drivers: labels.slice(0, 7).map((label, i) => ({ label: `${label}: ${i + k} (в среднем ${(i + 0.5).toFixed(1)})`, value: (i % 3 === 2 ? -0.02 : 0.08) / (i + 1) })),
  });
const DRIVERS_WARMUPS = 4;

export async function warmCharts(renderer: ChartRenderer): Promise<void> {
  for (const chart of WARM_CHARTS) await renderer.render(chart());
  for (let k = 0; k < DRIVERS_WARMUPS; k++) await renderer.render(realisticDrivers(k));
}
