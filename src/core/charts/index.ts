/**
 * Charts for the bot and the CLI: pure builders (plain data → Chart.js config) and renderers
 * (config → PNG), local or on a self-hosted QuickChart server.
 *
 *   const charts = createChartRenderer({ quickchartUrl: config.quickchartUrl, logger: log });
 *   const png = await charts.render(driversChart({ customerId: 215348, drivers }));
 */
import { LocalChartRenderer } from './localRenderer.ts';
import { QuickChartRenderer } from './quickchartRenderer.ts';
import type { ChartLogger, ChartRenderer } from './renderer.ts';

export { driversChart } from './drivers.ts';
export { importanceChart } from './importance.ts';
export { segmentsChart } from './segments.ts';
export { riskDistributionChart } from './distribution.ts';
export { trendChart } from './trend.ts';
export { LocalChartRenderer } from './localRenderer.ts';
export { QuickChartRenderer, type QuickChartOptions } from './quickchartRenderer.ts';
export type { ChartLogger, ChartRenderer } from './renderer.ts';
export { DEFAULT_CHART_SIZE } from './theme.ts';
export type * from './types.ts';

export interface ChartRendererOptions {
  /** Base URL of a self-hosted QuickChart server (QUICKCHART_URL); without it charts render locally. */
  quickchartUrl?: string;
  timeoutMs?: number;
  logger?: ChartLogger;
}

/** QuickChart with local fallback when a server is configured, otherwise local rendering. */
export function createChartRenderer(opts: ChartRendererOptions = {}): ChartRenderer {
  const local = new LocalChartRenderer();
  const url = opts.quickchartUrl?.trim();
  if (!url) return local;
  return new QuickChartRenderer(url, { timeoutMs: opts.timeoutMs, logger: opts.logger, fallback: local });
}
