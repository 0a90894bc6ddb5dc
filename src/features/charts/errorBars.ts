/**
 * An inline Chart.js plugin for interval whiskers on vertical bars, with the bar's label above
 * the whisker (where the value-labels plugin would collide with it). Same rules as ./plugins.ts:
 * self-contained hooks, no named inner functions, no loops — it travels to QuickChart as text.
 */
import type { Chart, ChartType, Plugin } from 'chart.js';
import type { FontOptions } from './theme.ts';

/** Per data point [low, high] on the value scale, or null for no whisker. */
export type ErrorBars = ([number, number] | null)[];

export interface ErrorBarsOptions {
  color: string;
  /** Whisker line width, px. */
  width: number;
  /** Half the cap's length, px. */
  cap: number;
  font: FontOptions;
  labelColor: string;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    errorBars?: ErrorBarsOptions;
  }
  interface BarControllerDatasetOptions {
    /** Read raw from `chart.data` by the errorBars plugin. */
    errorBars?: ErrorBars;
    /** Text above each whisker (or bar), null for none. */
    whiskerLabels?: (string | null)[];
  }
}

/** Draws each dataset's `errorBars[i]` as a capped vertical line over its bar, and `whiskerLabels[i]` above it. */
export const errorBarsPlugin: Plugin<ChartType, ErrorBarsOptions> = {
  id: 'errorBars',
  afterDatasetsDraw(chart: Chart, _args: unknown, opts: ErrorBarsOptions) {
    const ctx = chart.ctx;
    const scale = chart.scales.y;
    if (!scale) return;
    ctx.save();
    ctx.font = (opts.font.weight || 'normal') + ' ' + opts.font.size + 'px ' + opts.font.family;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    chart.data.datasets.forEach((dataset, di) => {
      const bars = (dataset as { errorBars?: ErrorBars }).errorBars || [];
      const labels = (dataset as { whiskerLabels?: (string | null)[] }).whiskerLabels || [];
      const meta = chart.getDatasetMeta(di);
      if (meta.hidden || !chart.isDatasetVisible(di)) return;
      meta.data.forEach((element, i) => {
        const el = element as unknown as { x: number; y: number };
        if (!Number.isFinite(el.x) || !Number.isFinite(el.y)) return;
        const bar = bars[i];
        let top = el.y;
        if (bar) {
          const lo = scale.getPixelForValue(bar[0]);
          const hi = scale.getPixelForValue(bar[1]);
          top = Math.min(top, hi);
          ctx.strokeStyle = opts.color;
          ctx.lineWidth = opts.width;
          ctx.beginPath();
          ctx.moveTo(el.x, lo);
          ctx.lineTo(el.x, hi);
          ctx.moveTo(el.x - opts.cap, lo);
          ctx.lineTo(el.x + opts.cap, lo);
          ctx.moveTo(el.x - opts.cap, hi);
          ctx.lineTo(el.x + opts.cap, hi);
          ctx.stroke();
        }
        const text = labels[i];
        if (text) {
          ctx.fillStyle = opts.labelColor;
          ctx.fillText(text, el.x, top - 6);
        }
      });
    });
    ctx.restore();
  },
};
