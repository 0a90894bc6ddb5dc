import { CHART_WIDTH, DEFAULT_CHART_SIZE } from './theme.ts';
import type { ChartConfig, ChartSize } from './types.ts';

/** Draws a chart config into PNG bytes. */
export interface ChartRenderer {
  /** `size` is the PNG size in pixels; by default the config's preferred size (preferredSize). */
  render(config: ChartConfig, size?: ChartSize): Promise<Buffer>;
}

/** The part of the core Logger the renderers need. */
export interface ChartLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

const MAX_SIDE = 4000;

/**
 * The size a chart is drawn at unless the caller asks for another: CHART_WIDTH wide and as tall
 * as its `options.aspectRatio` (width / height) says — builders size a chart to its rows.
 */
export function preferredSize(config: ChartConfig): ChartSize {
  const ratio = (config.options as { aspectRatio?: unknown } | undefined)?.aspectRatio;
  if (typeof ratio !== 'number' || !(ratio > 0)) return { ...DEFAULT_CHART_SIZE };
  return { width: CHART_WIDTH, height: Math.min(MAX_SIDE, Math.round(CHART_WIDTH / ratio)) };
}

export function checkSize(size: ChartSize = DEFAULT_CHART_SIZE): ChartSize {
  const { width, height } = size;
  for (const side of [width, height]) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_SIDE) {
      throw new RangeError(`chart size must be whole pixels in 1..${MAX_SIDE}, got ${width}×${height}`);
    }
  }
  return { width, height };
}
