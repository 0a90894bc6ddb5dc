import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_CHART_SIZE,
  driversChart,
  importanceChart,
  riskDistributionChart,
  segmentsChart,
  trendChart,
  type ChartConfig,
} from '../../src/features/charts/index.ts';
import { histogram } from '../../src/features/charts/distribution.ts';
import { MAX_DRIVERS } from '../../src/features/charts/drivers.ts';
import { paddedRange, wrapLabel } from '../../src/features/charts/format.ts';
import { quickChartPayload } from '../../src/app/charts/quickchartRenderer.ts';
import { LocalChartRenderer, QuickChartRenderer, createChartRenderer } from '../../src/app/charts/index.ts';
import { CHART_TEXT } from '../../src/messages.ts';
import { sampleCharts as samples, sampleDistribution, sampleDrivers, sampleSegments, sampleTrend } from './fixtures/chartSamples.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, after checking the PNG signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const local = new LocalChartRenderer();

describe('LocalChartRenderer', () => {
  it.each(samples)('renders %s as a 1000×600 PNG', async (_kind, build) => {
    expect(pngSize(await local.render(build()))).toEqual(DEFAULT_CHART_SIZE);
  });

  it('renders at a requested size', async () => {
    expect(pngSize(await local.render(trendChart(sampleTrend), { width: 800, height: 500 }))).toEqual({
      width: 800,
      height: 500,
    });
  });

  it('rejects a size that is not whole pixels', async () => {
    await expect(local.render(trendChart(sampleTrend), { width: 0, height: 500 })).rejects.toThrow(RangeError);
    await expect(local.render(trendChart(sampleTrend), { width: 800.5, height: 500 })).rejects.toThrow(RangeError);
  });

  const edgeCases: [string, () => ChartConfig][] = [
    ['no drivers', () => driversChart({ customerId: 1, drivers: [] })],
    ['drivers all zero', () => driversChart({ customerId: 1, drivers: [{ label: 'a', value: 0 }, { label: 'b', value: 0 }] })],
    ['only negative drivers', () => driversChart({ customerId: 1, drivers: [{ label: 'давно с нами', value: -0.2 }] })],
    ['no features', () => importanceChart({ features: [] })],
    ['importances all zero', () => importanceChart({ features: [{ label: 'тип сервиса', importance: 0 }] })],
    ['one segment', () => segmentsChart({ segments: [{ title: 'Серферы', size: 12, profitAtStake: 30.5 }] })],
    ['segments of zero size', () => segmentsChart({ segments: [{ title: 'Серферы', size: 0, profitAtStake: 0 }] })],
    ['no segments', () => segmentsChart({ segments: [] })],
    ['all probabilities equal', () => riskDistributionChart({ probabilities: new Float64Array(50).fill(0.3), threshold: 0.7 })],
    ['probabilities 0 and 1 only', () => riskDistributionChart({ probabilities: [0, 1, 1, 0], threshold: 0.5 })],
    ['no probabilities', () => riskDistributionChart({ probabilities: [], threshold: 0.7 })],
    ['one week', () => trendChart({ points: [{ label: '17.11', atRisk: 5 }] })],
    ['zero at-risk weeks', () => trendChart({ points: [{ label: '10.11', atRisk: 0 }, { label: '17.11', atRisk: 0 }] })],
    ['no weeks', () => trendChart({ points: [] })],
  ];

  it.each(edgeCases)('renders with %s', async (_case, build) => {
    expect(pngSize(await local.render(build()))).toEqual(DEFAULT_CHART_SIZE);
  });
});

describe('chart builders', () => {
  it('orders drivers by strength, colours them by sign and labels them in п.п.', () => {
    const config = driversChart(sampleDrivers);
    const [up, down] = config.data.datasets;
    expect(config.options?.indexAxis).toBe('y');
    expect((config.data.labels as string[][])[0].join(' ')).toBe('мало страниц за визит: 2 против 5 в среднем');
    expect(up.label).toBe(CHART_TEXT.drivers.up);
    expect(down.label).toBe(CHART_TEXT.drivers.down);
    expect(up.data.slice(0, 4).map((v) => Math.round(v as number))).toEqual([12, 8, 6, 5]);
    expect(up.valueLabels?.[0]).toBe('+12 п.п.');
    expect(down.data.slice(4).map((v) => Math.round((v as number) * 10) / 10)).toEqual([-3.1, -2.3]);
    expect(down.valueLabels?.[4]).toMatch(/^−3,1 п\.п\.$/);
    expect(up.backgroundColor).not.toEqual(down.backgroundColor);
  });

  it('keeps only the strongest drivers that fit the picture', () => {
    const drivers = Array.from({ length: 10 }, (_, i) => ({ label: `d${i}`, value: (i - 5) / 100 }));
    const config = driversChart({ customerId: 1, drivers });
    expect(config.data.labels).toHaveLength(MAX_DRIVERS);
    expect((config.data.labels as string[][])[0]).toEqual(['d0']);
  });

  it('puts the most important feature on top', () => {
    const config = importanceChart({
      features: [
        { label: 'b', importance: 0.01 },
        { label: 'a', importance: 0.05 },
        { label: 'c', importance: -0.001 },
      ],
    });
    expect((config.data.labels as string[][]).map((l) => l.join(' '))).toEqual(['a', 'b', 'c']);
  });

  it('puts sizes and profit on two axes', () => {
    const [size, profit] = segmentsChart(sampleSegments).data.datasets;
    expect(size.xAxisID).toBe('x');
    expect(profit.xAxisID).toBe('x2');
    expect(profit.valueLabels?.[5]?.replace(/\s/g, ' ')).toBe('1 207');
  });

  it('counts every finite probability once, split at the threshold', () => {
    const h = histogram([0, 0.04, 0.5, 0.69, 0.7, 0.71, 1, Number.NaN], 0.7, 20);
    expect(h.totalBelow + h.totalAbove).toBe(7);
    expect(h.totalAbove).toBe(3);
    expect(h.below[0]).toBe(2);
    expect(h.above[14]).toBe(2);
    expect(h.above[19]).toBe(1);
  });

  it('names the threshold in the legend and on the line', () => {
    const config = riskDistributionChart(sampleDistribution);
    expect(config.options?.plugins?.thresholdLine?.label).toBe(CHART_TEXT.distribution.threshold(0.7));
    expect(config.options?.plugins?.thresholdLine?.value).toBeCloseTo(70);
    expect(config.data.datasets[1].label).toBe(CHART_TEXT.distribution.above('335'));
  });

  it('writes at most 12 counts on a long trend, always the latest', () => {
    const points = Array.from({ length: 26 }, (_, i) => ({ label: `W${i + 1}`, atRisk: 100 + i }));
    const labels = trendChart({ points }).data.datasets[0].valueLabels ?? [];
    expect(labels.filter((l) => l !== null).length).toBeLessThanOrEqual(12);
    expect(labels[25]).toBe('125');
    expect(trendChart(sampleTrend).data.datasets[0].valueLabels?.every((l) => l !== null)).toBe(true);
  });

  it('writes a note instead of an empty plot', () => {
    expect(driversChart({ customerId: 1, drivers: [] }).options?.plugins?.emptyNote?.text).toBe(CHART_TEXT.empty);
    expect(driversChart(sampleDrivers).options?.plugins?.emptyNote?.text).toBeNull();
  });

  it('keeps data and options function-free (only inline plugins carry code)', () => {
    for (const [, build] of samples) {
      const { plugins, ...rest } = build();
      expect(plugins?.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(rest))).toEqual(rest);
    }
  });
});

describe('label helpers', () => {
  it('wraps long labels into even lines', () => {
    expect(wrapLabel('давно с нами: 912 против 602 в среднем', 30)).toEqual(['давно с нами: 912', 'против 602 в среднем']);
    expect(wrapLabel('Серферы', 18)).toEqual(['Серферы']);
    expect(wrapLabel('', 18)).toEqual(['']);
    for (const line of wrapLabel('много неоплаченных товаров в корзине: 7 против 3 в среднем', 30)) {
      expect(line.length).toBeLessThanOrEqual(30);
    }
  });

  it('cuts a label beyond the allowed lines with an ellipsis', () => {
    const lines = wrapLabel('любимая категория: Товары для детей (чаще всего — Косметика и аксесуары)', 32, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1].endsWith('…')).toBe(true);
    expect(lines[1].length).toBeLessThanOrEqual(32);
  });

  it('leaves room beyond the bars only on sides that have data', () => {
    expect(paddedRange([10, 5], 0.2)).toEqual({ suggestedMin: 0, suggestedMax: 12 });
    expect(paddedRange([-10, 10], 0.25)).toEqual({ suggestedMin: -15, suggestedMax: 15 });
    expect(paddedRange([0, 0], 0.2)).toEqual({ suggestedMin: 0, suggestedMax: 1 });
  });
});

describe('QuickChartRenderer', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function closedPortUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}`;
  }

  function recordingLogger() {
    const lines: string[] = [];
    return { lines, warn: (msg: string) => void lines.push(msg) };
  }

  function expectOneLineWarning(lines: string[], pattern: RegExp) {
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).not.toMatch(/\bat .+:\d+:\d+/);
  }

  it('falls back to local rendering when nothing listens', async () => {
    const logger = recordingLogger();
    const renderer = new QuickChartRenderer(await closedPortUrl(), { timeoutMs: 2000, logger });
    expect(pngSize(await renderer.render(driversChart(sampleDrivers)))).toEqual(DEFAULT_CHART_SIZE);
    expectOneLineWarning(logger.lines, /ECONNREFUSED/);
  });

  it('falls back when the server answers 500', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { 'x-quickchart-error': 'boom' }).end('Internal error');
    });
    const logger = recordingLogger();
    const renderer = new QuickChartRenderer(url, { logger });
    expect(pngSize(await renderer.render(segmentsChart(sampleSegments), { width: 900, height: 560 }))).toEqual({
      width: 900,
      height: 560,
    });
    expectOneLineWarning(logger.lines, /HTTP 500 \(boom\)/);
  });

  it('falls back when the server does not answer in time', async () => {
    const url = await serve(() => {
      /* never answers */
    });
    const logger = recordingLogger();
    const renderer = new QuickChartRenderer(url, { timeoutMs: 150, logger });
    expect(pngSize(await renderer.render(trendChart(sampleTrend)))).toEqual(DEFAULT_CHART_SIZE);
    expectOneLineWarning(logger.lines, /timeout/i);
  });

  it('falls back when the answer is not a PNG', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    });
    const logger = recordingLogger();
    const renderer = new QuickChartRenderer(url, { logger });
    expect(pngSize(await renderer.render(trendChart(sampleTrend)))).toEqual(DEFAULT_CHART_SIZE);
    expectOneLineWarning(logger.lines, /not a PNG/);
  });

  it('uses the server when it answers, asking for Chart.js 4 at the requested size', async () => {
    const served = await local.render(trendChart({ points: [] }), { width: 640, height: 400 });
    let body: Record<string, unknown> = {};
    let path = '';
    const url = await serve((req, res) => {
      path = req.url ?? '';
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'image/png' }).end(served);
      });
    });
    const logger = recordingLogger();
    const png = await new QuickChartRenderer(`${url}/`, { logger }).render(trendChart(sampleTrend), {
      width: 640,
      height: 400,
    });
    expect(png.equals(served)).toBe(true);
    expect(logger.lines).toEqual([]);
    expect(path).toBe('/chart');
    expect(body).toMatchObject({ version: '4', width: 640, height: 400, format: 'png', devicePixelRatio: 1 });
    expect(body.chart).toContain(CHART_TEXT.trend.title);
  });

  it.each(samples)('sends %s as self-contained source that a bare JS context can run', async (_kind, build) => {
    const { chart } = quickChartPayload(build(), DEFAULT_CHART_SIZE);
    // What older QuickChart servers reject before evaluating.
    expect(chart).not.toMatch(/(for|while)\s*\(/i);
    // Evaluated with nothing but JS built-ins, as the server's sandbox does; drawing runs the plugin hooks.
    const config = runInNewContext(`(${chart})`, {}) as ChartConfig;
    expect(typeof config.plugins?.[0]?.id).toBe('string');
    expect(pngSize(await local.render(config))).toEqual(DEFAULT_CHART_SIZE);
  });

  it('shims the __name helper that esbuild keepNames puts into function source', async () => {
    const config = trendChart(sampleTrend);
    const withHelper = {
      id: 'named',
      afterDraw: new Function('chart', 'var f = __name(function () { return 1; }, "f"); f();'),
    };
    const payload = quickChartPayload({ ...config, plugins: [withHelper] } as ChartConfig, DEFAULT_CHART_SIZE);
    const evaluated = runInNewContext(`(${payload.chart})`, {}) as ChartConfig;
    expect(pngSize(await local.render(evaluated))).toEqual(DEFAULT_CHART_SIZE);
  });
});

describe('createChartRenderer', () => {
  it('renders locally without a QuickChart URL', () => {
    expect(createChartRenderer()).toBeInstanceOf(LocalChartRenderer);
    expect(createChartRenderer({ quickchartUrl: '  ' })).toBeInstanceOf(LocalChartRenderer);
  });

  it('uses QuickChart when a URL is configured', () => {
    expect(createChartRenderer({ quickchartUrl: 'http://quickchart:3400', timeoutMs: 500 })).toBeInstanceOf(
      QuickChartRenderer,
    );
  });
});
