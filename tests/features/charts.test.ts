import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  preferredSize,
  driversChart,
  importanceChart,
  riskDistributionChart,
  segmentsChart,
  trendChart,
  type ChartConfig,
} from '../../src/features/charts/index.ts';
import { histogram } from '../../src/features/charts/distribution.ts';
import { MAX_DRIVERS } from '../../src/features/charts/drivers.ts';
import { membersChart } from '../../src/features/charts/members.ts';
import { paddedRange, wrapLabel } from '../../src/features/charts/format.ts';
import { quickChartPayload } from '../../src/app/charts/quickchartRenderer.ts';
import { LocalChartRenderer, QuickChartRenderer, createChartRenderer } from '../../src/app/charts/index.ts';
import { CHART_TEXT } from '../../src/messages.ts';
import {
  sampleCharts as samples,
  sampleDistribution,
  sampleDrivers,
  sampleMembers,
  sampleSegments,
  sampleTrend,
} from './fixtures/chartSamples.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, after checking the PNG signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const local = new LocalChartRenderer();
const sizeOf = (config: ChartConfig) => preferredSize(config);

describe('LocalChartRenderer', () => {
  it.each(samples)('renders %s 1000 px wide and as tall as its rows', async (_kind, build) => {
    const config = build();
    const size = pngSize(await local.render(config));
    expect(size).toEqual(sizeOf(config));
    expect(size.width).toBe(1000);
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

  const drivers = (d: { label: string; value: number }[], baseRate = 0.38, probability = 0.38 + d.reduce((s, x) => s + x.value, 0)) =>
    driversChart({ customerId: 1, baseRate, probability, drivers: d });
  const segment = (size: number, shared: number, loss: number) => ({ title: 'Серферы', size, shared, loss, lossLabel: String(loss) });
  const edgeCases: [string, () => ChartConfig][] = [
    ['no drivers', () => drivers([])],
    ['drivers all zero', () => drivers([{ label: 'a', value: 0 }, { label: 'b', value: 0 }])],
    ['only negative drivers', () => drivers([{ label: 'давно с нами', value: -0.2 }])],
    ['a probability of 1', () => drivers([{ label: 'a', value: 0.5 }], 0.38, 1)],
    ['no features', () => importanceChart({ features: [] })],
    ['importances all zero', () => importanceChart({ features: [{ label: 'тип сервиса', share: 0, direction: null }] })],
    ['one segment', () => segmentsChart({ segments: [segment(12, 3, 30.5)], subtitle: null, lossAxis: 'потеря' })],
    ['segments of zero size', () => segmentsChart({ segments: [segment(0, 0, 0)], subtitle: null, lossAxis: 'потеря' })],
    ['no segments', () => segmentsChart({ segments: [], subtitle: null, lossAxis: 'потеря' })],
    ['an empty segment', () => membersChart({ ...sampleMembers, members: [], more: null })],
    ['all probabilities equal', () => riskDistributionChart({ probabilities: new Float64Array(50).fill(0.3), threshold: 0.7 })],
    ['probabilities 0 and 1 only', () => riskDistributionChart({ probabilities: [0, 1, 1, 0], threshold: 0.5 })],
    ['no probabilities', () => riskDistributionChart({ probabilities: [], threshold: 0.7 })],
    ['one week', () => trendChart({ points: [{ label: '17 нояб.', atRisk: 5 }] })],
    ['zero at-risk weeks', () => trendChart({ points: [{ label: '10 нояб.', atRisk: 0 }, { label: '17 нояб.', atRisk: 0 }] })],
    ['no weeks', () => trendChart({ points: [] })],
  ];

  it.each(edgeCases)('renders with %s', async (_case, build) => {
    const config = build();
    expect(pngSize(await local.render(config))).toEqual(sizeOf(config));
  });
});

type Span = [number, number] | null;
const captionsOf = (config: ChartConfig) => ((config.options?.plugins?.barCaptions?.captions ?? []) as (string | null)[]).filter(Boolean);

describe('chart builders', () => {
  it('draws the drivers as a waterfall from the base rate to the probability the text shows', async () => {
    const config = driversChart(sampleDrivers);
    const [levels, up, down] = config.data.datasets;
    const bars = (d: typeof levels) => (d.data as Span[]).filter((v): v is [number, number] => v !== null);
    // The first bar is the average customer, the last the customer: both start at zero.
    expect(bars(levels)[0]).toEqual([0, 38.1]);
    expect(bars(levels)[1][0]).toBe(0);
    expect(bars(levels)[1][1]).toBeCloseTo(86);
    // Every step starts where the previous one ended, and the last one ends at the probability.
    const steps = (config.data.labels as string[]).map((_, i) => (up.data[i] ?? down.data[i]) as Span).filter((v): v is [number, number] => v !== null);
    expect(steps[0][0]).toBeCloseTo(38.1);
    for (let i = 1; i < steps.length; i++) expect(steps[i][0]).toBeCloseTo(steps[i - 1][1]);
    expect(steps.at(-1)![1]).toBeCloseTo(86);
    // Strongest first, «остальные признаки» last; labels in п.п.; red up, green down.
    const captions = captionsOf(config);
    expect(captions[1]).toBe('страниц за визит: 2 (в среднем 8,2)');
    expect(captions.at(-2)).toBe(CHART_TEXT.drivers.rest);
    expect(up.valueLabels?.find(Boolean)).toBe('+12 п.п.');
    expect(down.valueLabels?.find(Boolean)).toBe('−3,1 п.п.');
    expect(up.label).toBe(CHART_TEXT.drivers.up);
    expect(down.label).toBe(CHART_TEXT.drivers.down);
  });

  it('shows only the legend entries that occur', async () => {
    const onlyUp = driversChart({ customerId: 1, baseRate: 0.4, probability: 0.9, drivers: [{ label: 'a', value: 0.3 }, { label: 'b', value: 0.2 }] });
    expect(onlyUp.data.datasets.map((d) => d.label)).toEqual([CHART_TEXT.drivers.level, CHART_TEXT.drivers.up]);
    const onlyDown = driversChart({ customerId: 1, baseRate: 0.4, probability: 0.1, drivers: [{ label: 'a', value: -0.3 }] });
    expect(onlyDown.data.datasets.map((d) => d.label)).toEqual([CHART_TEXT.drivers.level, CHART_TEXT.drivers.down]);
  });

  it('keeps the strongest drivers that fit and adds the others to the remainder', async () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ label: `d${i}`, value: (i - 5) / 100 }));
    const config = driversChart({ customerId: 1, baseRate: 0.3, probability: 0.3, drivers: many });
    const captions = captionsOf(config);
    // base, MAX_DRIVERS drivers, the remainder, the total
    expect(captions).toHaveLength(MAX_DRIVERS + 3);
    expect(captions[1]).toBe('d0');
  });

  it('puts the most important feature on top, in percent, and never draws a negative bar', async () => {
    const config = importanceChart({
      features: [
        { label: 'b', share: 20, direction: 'больше → риск ниже' },
        { label: 'a', share: 80, direction: null },
        { label: 'c', share: 0, direction: null },
      ],
    });
    expect(captionsOf(config)).toEqual(['a', 'b: больше → риск ниже']);
    expect(config.data.datasets[0].valueLabels?.filter(Boolean)).toEqual(['80%', '20%']);
  });

  it('draws segment sizes and losses on a panel each, with the overlap as a part of each size bar', async () => {
    const config = segmentsChart(sampleSegments);
    const [only, shared, loss] = config.data.datasets;
    expect(only.xAxisID).toBe('x');
    expect(shared.xAxisID).toBe('x');
    expect(loss.xAxisID).toBe('x2');
    const scales = config.options!.scales as Record<string, { stack?: string }>;
    expect(scales.x.stack).toBe('panels');
    expect(scales.x2.stack).toBe('panels');
    // 67 in the segment, 51 of them also in another one.
    expect(only.data.find((v) => v !== null)).toBe(16);
    expect(shared.data.find((v) => v !== null)).toBe(51);
    expect(shared.valueLabels?.find(Boolean)).toBe('67');
    expect(captionsOf(config)).not.toContain('Все в зоне риска');
  });

  it('counts every finite probability once, split at the threshold', async () => {
    const h = histogram([0, 0.04, 0.5, 0.69, 0.7, 0.71, 1, Number.NaN], 0.7, 20);
    expect(h.totalBelow + h.totalAbove).toBe(7);
    expect(h.totalAbove).toBe(3);
    expect(h.below[0]).toBe(2);
    expect(h.above[14]).toBe(2);
    expect(h.above[19]).toBe(1);
  });

  it('names the threshold in the legend and on the line', async () => {
    const config = riskDistributionChart(sampleDistribution);
    expect(config.options?.plugins?.thresholdLine?.label).toBe(CHART_TEXT.distribution.threshold(0.7));
    expect(config.options?.plugins?.thresholdLine?.value).toBeCloseTo(70);
    expect(config.data.datasets[1].label).toBe(CHART_TEXT.distribution.above(335));
  });

  it('writes at most 12 counts on a long trend, always the latest', async () => {
    const points = Array.from({ length: 26 }, (_, i) => ({ label: `W${i + 1}`, atRisk: 100 + i }));
    const labels = trendChart({ points }).data.datasets[0].valueLabels ?? [];
    expect(labels.filter((l) => l !== null).length).toBeLessThanOrEqual(12);
    expect(labels[25]).toBe('125');
    expect(trendChart(sampleTrend).data.datasets[0].valueLabels?.every((l) => l !== null)).toBe(true);
  });

  it('says in words that one week is no trend, instead of drawing one dot', async () => {
    const config = trendChart({ points: [{ label: '30 нояб.', atRisk: 368 }] });
    expect(config.data.datasets).toEqual([]);
    const note = ([] as string[]).concat((config.options?.plugins?.emptyNote?.text ?? []) as string | string[]).join(' ');
    expect(note).toMatch(/одна неделя \(с 30 нояб\.\)/);
    expect(note).toMatch(/368\s+клиентов/);
  });

  it('writes a note instead of an empty plot', async () => {
    expect(driversChart({ customerId: 1, baseRate: Number.NaN, probability: 0.5, drivers: [] }).options?.plugins?.emptyNote?.text).toBe(
      CHART_TEXT.empty,
    );
    expect(driversChart(sampleDrivers).options?.plugins?.emptyNote?.text).toBeNull();
    expect(membersChart({ ...sampleMembers, members: [] }).options?.plugins?.emptyNote?.text).toBe(sampleMembers.emptyNote);
  });

  it('keeps data and options function-free (only inline plugins carry code)', async () => {
    for (const [, build] of samples) {
      const { plugins, ...rest } = build();
      expect(plugins?.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(rest))).toEqual(rest);
    }
  });
});

describe('label helpers', () => {
  it('wraps long labels into even lines', async () => {
    expect(wrapLabel('давно с нами: 912 против 602 в среднем', 30)).toEqual(['давно с нами: 912', 'против 602 в среднем']);
    expect(wrapLabel('Серферы', 18)).toEqual(['Серферы']);
    expect(wrapLabel('', 18)).toEqual(['']);
    for (const line of wrapLabel('много неоплаченных товаров в корзине: 7 против 3 в среднем', 30)) {
      expect(line.length).toBeLessThanOrEqual(30);
    }
  });

  it('cuts a label beyond the allowed lines with an ellipsis', async () => {
    const lines = wrapLabel('любимая категория: Товары для детей (чаще всего — Косметика и аксесуары)', 32, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1].endsWith('…')).toBe(true);
    expect(lines[1].length).toBeLessThanOrEqual(32);
  });

  it('leaves room beyond the bars only on sides that have data', async () => {
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
    expect(pngSize(await renderer.render(driversChart(sampleDrivers)))).toEqual(sizeOf(driversChart(sampleDrivers)));
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
    expect(pngSize(await renderer.render(trendChart(sampleTrend)))).toEqual(sizeOf(trendChart(sampleTrend)));
    expectOneLineWarning(logger.lines, /timeout/i);
  });

  it('falls back when the answer is not a PNG', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    });
    const logger = recordingLogger();
    const renderer = new QuickChartRenderer(url, { logger });
    expect(pngSize(await renderer.render(trendChart(sampleTrend)))).toEqual(sizeOf(trendChart(sampleTrend)));
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
    const { chart } = quickChartPayload(build(), sizeOf(build()));
    // What older QuickChart servers reject before evaluating.
    expect(chart).not.toMatch(/(for|while)\s*\(/i);
    // Evaluated with nothing but JS built-ins, as the server's sandbox does; drawing runs the plugin hooks.
    const config = runInNewContext(`(${chart})`, {}) as ChartConfig;
    expect(typeof config.plugins?.[0]?.id).toBe('string');
    expect(pngSize(await local.render(config))).toEqual(sizeOf(build()));
  });

  it('shims the __name helper that esbuild keepNames puts into function source', async () => {
    const config = trendChart(sampleTrend);
    const withHelper = {
      id: 'named',
      afterDraw: new Function('chart', 'var f = __name(function () { return 1; }, "f"); f();'),
    };
    const payload = quickChartPayload({ ...config, plugins: [withHelper] } as ChartConfig, sizeOf(config));
    const evaluated = runInNewContext(`(${payload.chart})`, {}) as ChartConfig;
    expect(pngSize(await local.render(evaluated))).toEqual(sizeOf(config));
  });
});

describe('createChartRenderer', () => {
  it('renders locally without a QuickChart URL', async () => {
    expect(createChartRenderer()).toBeInstanceOf(LocalChartRenderer);
    expect(createChartRenderer({ quickchartUrl: '  ' })).toBeInstanceOf(LocalChartRenderer);
  });

  it('uses QuickChart when a URL is configured', async () => {
    expect(createChartRenderer({ quickchartUrl: 'http://quickchart:3400', timeoutMs: 500 })).toBeInstanceOf(
      QuickChartRenderer,
    );
  });
});
