import type { ChartConfiguration } from 'chart.js';
import QuickChartImport from 'quickchart-js';
import { LocalChartRenderer } from './localRenderer.ts';
import { checkSize, preferredSize, type ChartLogger, type ChartRenderer } from '../../features/charts/renderer.ts';
import type { ChartConfig, ChartSize } from '../../features/charts/types.ts';

export interface QuickChartOptions {
  /** Whole request budget, connect to last byte (default 3000 ms). */
  timeoutMs?: number;
  logger?: ChartLogger;
  /** Used when the server fails (default: a LocalChartRenderer). */
  fallback?: ChartRenderer;
}

// The package ships an ES module but CommonJS-style typings: under NodeNext TypeScript sees the
// class one `.default` deeper than Node does at run time.
const QuickChart = ((QuickChartImport as { default?: unknown }).default ??
  QuickChartImport) as unknown as typeof QuickChartImport.default;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Renders on a self-hosted QuickChart server (Chart.js v4 there) and falls back to `fallback`
 * on any failure (unreachable, timeout, HTTP error, not a PNG), logging one warning line.
 *
 * quickchart-js builds the payload: it serialises the config with javascript-stringify, so the
 * inline plugins travel as JS source and the server evaluates them in its sandbox. The request
 * itself goes through Node's fetch with an AbortSignal, because quickchart-js' `toBinary()`
 * cannot be cancelled and a timed-out request would linger.
 */
export class QuickChartRenderer implements ChartRenderer {
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly logger?: ChartLogger;
  private readonly fallback: ChartRenderer;

  constructor(url: string, opts: QuickChartOptions = {}) {
    this.endpoint = new URL('chart', url.endsWith('/') ? url : `${url}/`);
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.logger = opts.logger;
    this.fallback = opts.fallback ?? new LocalChartRenderer();
  }

  async render(config: ChartConfig, size?: ChartSize): Promise<Buffer> {
    const checked = checkSize(size ?? preferredSize(config));
    try {
      return await this.renderRemote(config, checked);
    } catch (err) {
      this.logger?.warn(`quickchart at ${this.endpoint.origin} failed, rendering locally: ${describeError(err)}`);
      return this.fallback.render(config, checked);
    }
  }

  private async renderRemote(config: ChartConfig, size: ChartSize): Promise<Buffer> {
    const payload = quickChartPayload(config, size);
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) {
      const detail = res.headers.get('x-quickchart-error');
      throw new Error(`HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
    }
    const png = Buffer.from(await res.arrayBuffer());
    if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('response is not a PNG');
    return png;
  }
}

/**
 * The POST body for QuickChart's /chart endpoint. Functions are sent as source text; tsx
 * compiles with esbuild `keepNames`, which may put `__name(fn, "fn")` calls into that text,
 * so the config is wrapped in a scope that defines `__name` as the identity.
 */
export function quickChartPayload(config: ChartConfig, size: ChartSize) {
  const qc = new QuickChart()
    .setConfig(config as unknown as ChartConfiguration)
    .setWidth(size.width)
    .setHeight(size.height)
    .setDevicePixelRatio(1)
    .setBackgroundColor('#ffffff')
    .setFormat('png')
    .setVersion('4');
  const data = qc.getPostData();
  if (data.chart.includes('__name(')) {
    data.chart = `(function(){var __name=function(f){return f};return ${data.chart};})()`;
  }
  return data;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err).split('\n')[0];
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message;
  return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}${why ? ` (${why})` : ''}`.replace(/\s*\n\s*/g, ' ');
}
