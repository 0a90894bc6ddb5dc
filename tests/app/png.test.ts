/** The fast PNG writer: a file any decoder reads back to exactly the canvas's pixels. */
import { createCanvas, loadImage } from '@napi-rs/canvas';
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
    const png = await encodePng(pixels, 37, 23);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const back = createCanvas(37, 23);
    back.getContext('2d').drawImage(await loadImage(png), 0, 0);
    expect(Buffer.from(back.getContext('2d').getImageData(0, 0, 37, 23).data)).toEqual(Buffer.from(pixels));
  });

  it('a rendered chart is a valid 1000×600 PNG', async () => {
    const png = await new LocalChartRenderer().render(sampleCharts[0][1]());
    const img = await loadImage(png);
    expect([img.width, img.height]).toEqual([1000, 600]);
  });

  it('refuses pixels that do not match the size', async () => {
    await expect(encodePng(new Uint8Array(10), 2, 2)).rejects.toThrow(/RGBA/);
  });
});
