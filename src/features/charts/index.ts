/**
 * Chart specs of the presentation layer: pure builders from plain, already-worded data to a
 * Chart.js config, and the `ChartRenderer` port the adapters in src/app/charts implement.
 */
export { driversChart } from './drivers.ts';
export { importanceChart } from './importance.ts';
export { segmentsChart } from './segments.ts';
export { riskDistributionChart } from './distribution.ts';
export { trendChart } from './trend.ts';
export { campaignChart, type CampaignChartInput, type RateWithInterval } from './campaign.ts';
export { checkSize, preferredSize, type ChartLogger, type ChartRenderer } from './renderer.ts';
export { DEFAULT_CHART_SIZE, MIN_FONT_PX, PHONE_WIDTH } from './theme.ts';
export type * from './types.ts';
