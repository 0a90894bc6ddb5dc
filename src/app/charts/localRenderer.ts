import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartItem, type Plugin } from 'chart.js';
import { registerChartFonts } from './fonts.ts';
import { encodePng } from './png.ts';
import { checkSize, preferredSize, type ChartRenderer } from '../../features/charts/renderer.ts';
import type { ChartConfig, ChartSize } from '../../features/charts/types.ts';

let ready = false;

function prepareChartJs(): void {
  if (ready) return;
  Chart.register(...registerables);
  registerChartFonts();
  ready = true;
}

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Chart.js on @napi-rs/canvas, in process and offline: no animation, no resizing, white background; PNG by png.ts. */
export class LocalChartRenderer implements ChartRenderer {
  /** One canvas per size, reused: drawing and encoding are synchronous, so no two charts share it at once. */
  private readonly canvases = new Map<string, Canvas>();

  async render(config: ChartConfig, size?: ChartSize): Promise<Buffer> {
    prepareChartJs();
    const { width, height } = checkSize(size ?? preferredSize(config));
    const key = `${width}x${height}`;
    const canvas = this.canvases.get(key) ?? createCanvas(width, height);
    this.canvases.set(key, canvas);
    const chart = new Chart(canvas as unknown as ChartItem, {
      ...config,
      options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
      plugins: [...(config.plugins ?? []), whiteBackground],
    } as ChartConfiguration);
    try {
      // The white background makes every pixel opaque, so the canvas's premultiplied pixels are the PNG's.
      return encodePng(canvas.data(), width, height);
    } finally {
      chart.destroy();
    }
  }
}
