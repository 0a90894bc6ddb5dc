/** The fast PNG writer: a file any decoder reads back to exactly the canvas's pixels. */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartItem } from 'chart.js';
import { registerChartFonts } from '../../src/app/charts/fonts.ts';
import { describe, expect, it } from 'vitest';
import { LocalChartRenderer } from '../../src/app/charts/localRenderer.ts';
import { encodePng } from '../../src/app/charts/png.ts';
import { sampleCharts } from '../features/fixtures/chartSamples.ts';

describe('encodePng', () => {
  it('decodes to the same RGBA pixels it was given, alpha included', async () => {
    const canvas = createCanvas(37, 23);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'rgba(200, 30, 90, 0.5)';
    ctx.fillRect(0, 0, 20, 23);
    ctx.fillStyle = '#1e88e5';
    ctx.fillRect(15, 5, 22, 10);
    const pixels = ctx.getImageData(0, 0, 37, 23).data;
    const png = encodePng(pixels, 37, 23);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const back = createCanvas(37, 23);
    back.getContext('2d').drawImage(await loadImage(png), 0, 0);
    expect(Buffer.from(back.getContext('2d').getImageData(0, 0, 37, 23).data)).toEqual(Buffer.from(pixels));
  });

  it('a chart canvas encoded from its raw pixels decodes like Skia\'s own PNG of it', async () => {
    registerChartFonts();
    Chart.register(...registerables);
    const pixelsOf = async (png: Buffer) => {
      const c = createCanvas(1000, 600);
      c.getContext('2d').drawImage(await loadImage(png), 0, 0);
      return Buffer.from(c.getContext('2d').getImageData(0, 0, 1000, 600).data);
    };
    for (const [, build] of sampleCharts) {
      const canvas = createCanvas(1000, 600);
      const config = build() as ChartConfiguration;
      const white = { id: 'white', beforeDraw: (ch: Chart) => ((ch.ctx.fillStyle = '#fff'), ch.ctx.fillRect(0, 0, 1000, 600)) };
      const chart = new Chart(canvas as unknown as ChartItem, {
        ...config,
        options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
        plugins: [...(config.plugins ?? []), white],
      });
      const ours = encodePng(canvas.data(), 1000, 600);
      const skia = await canvas.encode('png');
      chart.destroy();
      expect((await pixelsOf(ours)).equals(await pixelsOf(skia))).toBe(true);
    }
    const png = await new LocalChartRenderer().render(sampleCharts[0][1](), { width: 1000, height: 600 });
    const img = await loadImage(png);
    expect([img.width, img.height]).toEqual([1000, 600]);
  });

  it('refuses pixels that do not match the size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(/RGBA/);
  });
});
