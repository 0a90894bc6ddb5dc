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
  /** Drawn across the chart area when set (the chart has no data, or too little to plot); an array is several lines. */
  text: string | string[] | null;
  color: string;
  font: FontOptions;
}

export interface BarCaptionsOptions {
  /**
   * One entry per category of the label axis `scaleId`: the text written in that category's slot,
   * left-aligned at the chart area's left edge and sitting on the slot's bottom, so a caption in the
   * slot just above a bar reads as that bar's label across the whole width. null: nothing.
   */
  captions: (string | null)[];
  scaleId: string;
  color: string;
  font: FontOptions;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    valueLabels?: ValueLabelsOptions;
    thresholdLine?: ThresholdLineOptions;
    emptyNote?: EmptyNoteOptions;
    barCaptions?: BarCaptionsOptions;
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
          // A label stays inside its own panel when value axes sit side by side; the last panel may use the right padding.
          const scale = meta.xScale as unknown as { left: number; right: number } | undefined;
          const left = scale ? scale.left : area.left;
          const right = !scale || scale.right >= area.right - 1 ? chart.width - 4 : scale.right;
          const base = typeof el.base === 'number' ? el.base : el.x;
          // Chart.js draws a floating bar [from, to] from its smaller end, so a falling step's direction is in the data.
          const raw = (dataset.data as unknown[])[i];
          const falling = Array.isArray(raw) && Number(raw[1]) < Number(raw[0]);
          const lo = Math.min(el.x, base);
          const hi = Math.max(el.x, base);
          const toLeft = falling || el.x < base;
          const width = ctx.measureText(text).width;
          const outsideLeft = toLeft ? lo - gap - width : hi + gap;
          const inside = hi - lo >= width + gap * 2;
          ctx.textBaseline = 'middle';
          ctx.textAlign = 'left';
          if (outsideLeft >= left && outsideLeft + width <= right) {
            ctx.fillText(text, outsideLeft, el.y);
          } else if (inside) {
            // No room beyond the bar end: write inside the bar, in white.
            ctx.fillStyle = '#ffffff';
            ctx.fillText(text, toLeft ? lo + gap : hi - gap - width, el.y);
            ctx.fillStyle = opts.color;
          } else {
            // A short bar near the edge: write on its other side.
            ctx.fillText(text, toLeft ? hi + gap : lo - gap - width, el.y);
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
    const lines = ([] as string[]).concat(opts.text);
    const step = opts.font.size * 1.4;
    const top = (area.top + area.bottom) / 2 - ((lines.length - 1) * step) / 2;
    lines.forEach((line, i) => ctx.fillText(line, (area.left + area.right) / 2, top + i * step));
    ctx.restore();
  },
};

/** Writes `captions[i]` in category slot i of the label axis, across the full chart width (see BarCaptionsOptions). */
export const barCaptionsPlugin: AnyPlugin<BarCaptionsOptions> = {
  id: 'barCaptions',
  afterDatasetsDraw(chart: Chart, _args: unknown, opts: BarCaptionsOptions) {
    const scale = chart.scales[opts.scaleId];
    const area = chart.chartArea;
    if (!scale || !area || !opts.captions) return;
    const slot = opts.captions.length > 1 ? Math.abs(scale.getPixelForValue(1) - scale.getPixelForValue(0)) : area.bottom - area.top;
    const ctx = chart.ctx;
    ctx.save();
    ctx.font = (opts.font.weight || 'normal') + ' ' + opts.font.size + 'px ' + opts.font.family;
    ctx.fillStyle = opts.color;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    opts.captions.forEach((text, i) => {
      if (!text) return;
      // The baseline leaves room for descenders just above the slot's bottom edge.
      ctx.fillText(text, area.left, scale.getPixelForValue(i) + slot / 2 - opts.font.size * 0.24);
    });
    ctx.restore();
  },
};
