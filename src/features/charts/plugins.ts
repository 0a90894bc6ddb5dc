/**
 * Tiny inline Chart.js plugins, carried inside chart configs (`config.plugins`).
 *
 * They must survive being sent to a QuickChart server as source text (quickchart-js turns
 * functions into their `toString()`), so every hook is self-contained: it uses only its
 * arguments and JS built-ins, never an import or a module-level helper. Also avoid named inner
 * functions (`const f = () => …`, `function f() {}`): tsx compiles with esbuild `keepNames`,
 * which wraps them in a `__name()` helper the server does not have (the QuickChart adapter
 * shims it, but keeping hooks free of them is the first line of defence), and `for`/`while`
 * loops, which older QuickChart servers reject as input.
 */
import type { Chart, ChartType, Plugin } from 'chart.js';
import type { FontOptions } from './theme.ts';

/** Per data point text drawn next to each bar or point of a dataset (null: no label). */
export type ValueLabels = (string | null)[];

export interface ValueLabelsOptions {
  font: FontOptions;
  color: string;
  /** Gap between the element and its label, px. */
  offset: number;
}

export interface ThresholdLineOptions {
  /** Position on the scale `scaleId`. */
  value: number;
  scaleId: string;
  label: string;
  color: string;
  font: FontOptions;
  /** Line width, px (default 3). */
  width?: number;
  /** Canvas line dash (default dashed); [] for a solid line. */
  dash?: number[];
}

export interface EmptyNoteOptions {
  /** Drawn across the chart area when set (the chart has no data). */
  text: string | null;
  color: string;
  font: FontOptions;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    valueLabels?: ValueLabelsOptions;
    thresholdLine?: ThresholdLineOptions;
    emptyNote?: EmptyNoteOptions;
  }
  interface BarControllerDatasetOptions {
    /** Read raw from `chart.data` by the valueLabels plugin. */
    valueLabels?: ValueLabels;
  }
  interface LineControllerDatasetOptions {
    valueLabels?: ValueLabels;
  }
}

type AnyPlugin<O> = Plugin<ChartType, O>;

/**
 * Draws `dataset.valueLabels[i]` next to each element: beyond the end of a horizontal bar
 * (on the side the bar grows to), above a vertical bar or a line point.
 */
export const valueLabelsPlugin: AnyPlugin<ValueLabelsOptions> = {
  id: 'valueLabels',
  afterDatasetsDraw(chart: Chart, _args: unknown, opts: ValueLabelsOptions) {
    const ctx = chart.ctx;
    const gap = opts.offset || 6;
    ctx.save();
    ctx.font = (opts.font.weight || 'normal') + ' ' + opts.font.size + 'px ' + opts.font.family;
    ctx.fillStyle = opts.color;
    chart.data.datasets.forEach((dataset, di) => {
      const labels = (dataset as { valueLabels?: ValueLabels }).valueLabels;
      const meta = chart.getDatasetMeta(di);
      if (!labels || meta.hidden || !chart.isDatasetVisible(di)) return;
      meta.data.forEach((element, i) => {
        const text = labels[i];
        const el = element as unknown as { x: number; y: number; base?: number; horizontal?: boolean };
        if (!text || !Number.isFinite(el.x) || !Number.isFinite(el.y)) return;
        if (meta.type === 'bar' && el.horizontal) {
          const area = chart.chartArea;
          const base = typeof el.base === 'number' ? el.base : el.x;
          const toLeft = el.x < base;
          const width = ctx.measureText(text).width;
          const outsideLeft = toLeft ? el.x - gap - width : el.x + gap;
          const inside = Math.abs(el.x - base) >= width + gap * 2;
          ctx.textBaseline = 'middle';
          ctx.textAlign = 'left';
          if (outsideLeft >= area.left && outsideLeft + width <= chart.width) {
            ctx.fillText(text, outsideLeft, el.y);
          } else if (inside) {
            // No room beyond the bar end: write inside the bar, in white.
            ctx.fillStyle = '#ffffff';
            ctx.fillText(text, toLeft ? el.x + gap : el.x - gap - width, el.y);
            ctx.fillStyle = opts.color;
          } else {
            // A short bar near the edge: write on the other side of the zero line.
            ctx.fillText(text, toLeft ? base + gap : base - gap - width, el.y);
          }
        } else {
          ctx.textAlign = 'center';
          ctx.textBaseline = 'bottom';
          ctx.fillText(text, el.x, el.y - gap);
        }
      });
    });
    ctx.restore();
  },
};

/** A dashed vertical line at `value` on scale `scaleId` (unless that scale is hidden), labelled at the top of the chart area. */
export const thresholdLinePlugin: AnyPlugin<ThresholdLineOptions> = {
  id: 'thresholdLine',
  afterDatasetsDraw(chart: Chart, _args: unknown, opts: ThresholdLineOptions) {
    const scale = chart.scales[opts.scaleId];
    const area = chart.chartArea;
    if (!scale || !area || scale.options.display === false) return;
    const x = Math.round(scale.getPixelForValue(opts.value)) + 0.5;
    if (!Number.isFinite(x) || x < area.left - 1 || x > area.right + 1) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = opts.color;
    ctx.lineWidth = opts.width || 3;
    ctx.setLineDash(opts.dash ? ([] as number[]).concat(opts.dash) : [10, 6]);
    ctx.beginPath();
    ctx.moveTo(x, area.top);
    ctx.lineTo(x, area.bottom);
    ctx.stroke();
    if (opts.label) {
      ctx.setLineDash([]);
      ctx.font = (opts.font.weight || 'normal') + ' ' + opts.font.size + 'px ' + opts.font.family;
      const pad = 6;
      const width = ctx.measureText(opts.label).width;
      const height = opts.font.size + pad;
      const onRight = x + pad + width + pad <= area.right;
      const left = onRight ? x + pad : Math.max(area.left, x - pad - width - pad);
      const top = area.top + pad;
      ctx.fillStyle = 'rgba(255,255,255,0.92)';
      ctx.fillRect(left, top, width + pad * 2, height + pad);
      ctx.fillStyle = opts.color;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(opts.label, left + pad, top + (height + pad) / 2);
    }
    ctx.restore();
  },
};

/** Writes `text` in the middle of the chart area; builders set it when there is nothing to plot. */
export const emptyNotePlugin: AnyPlugin<EmptyNoteOptions> = {
  id: 'emptyNote',
  afterDraw(chart: Chart, _args: unknown, opts: EmptyNoteOptions) {
    const area = chart.chartArea;
    if (!opts.text || !area) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.font = (opts.font.weight || 'normal') + ' ' + opts.font.size + 'px ' + opts.font.family;
    ctx.fillStyle = opts.color;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(opts.text, (area.left + area.right) / 2, (area.top + area.bottom) / 2);
    ctx.restore();
  },
};
