import { DEFAULT_CHART_SIZE } from './theme.ts';
import type { ChartConfig, ChartSize } from './types.ts';

/** Draws a chart config into PNG bytes. */
export interface ChartRenderer {
  /** `size` is the PNG size in pixels; default 1000×600. */
  render(config: ChartConfig, size?: ChartSize): Promise<Buffer>;
}

/** The part of the core Logger the renderers need. */
export interface ChartLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

const MAX_SIDE = 4000;

export function checkSize(size: ChartSize = DEFAULT_CHART_SIZE): ChartSize {
  const { width, height } = size;
  for (const side of [width, height]) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_SIDE) {
      throw new RangeError(`chart size must be whole pixels in 1..${MAX_SIDE}, got ${width}×${height}`);
    }
  }
  return { width, height };
}
