/**
 * The renderers behind the `ChartRenderer` port: Chart.js on a local canvas, or a self-hosted
 * QuickChart server with the local one as fallback.
 */
import type { ChartLogger, ChartRenderer } from '../../features/charts/index.ts';
import { LocalChartRenderer } from './localRenderer.ts';
import { QuickChartRenderer } from './quickchartRenderer.ts';

export { LocalChartRenderer } from './localRenderer.ts';
export { QuickChartRenderer, type QuickChartOptions } from './quickchartRenderer.ts';

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
