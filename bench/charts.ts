/**
 * Chart rendering speed with LocalChartRenderer: each kind rendered once cold (first use in the
 * process), then N times warm. Prints a markdown table and writes bench/results/charts.json.
 *
 *   npm run bench:charts               # N = 30
 *   npm run bench:charts -- --runs 100
 *   npm run bench:charts -- --samples docs/charts   # also writes one sample PNG per kind there
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalChartRenderer } from '../src/app/charts/index.ts';
import { sampleCharts } from '../tests/features/fixtures/chartSamples.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, samples: { type: 'string' } } });
const runs = Math.max(1, Number(values.runs));

const renderer = new LocalChartRenderer();
const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const round = (ms: number) => Math.round(ms * 10) / 10;

const rows = [];
for (const [kind, build] of sampleCharts) {
  let t = performance.now();
  const png = await renderer.render(build());
  const cold = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await renderer.render(build());
    warm.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  rows.push({
    kind,
    coldMs: round(cold),
    warmMedianMs: round(percentile(warm, 0.5)),
    warmP95Ms: round(percentile(warm, 0.95)),
    pngBytes: png.length,
  });
  if (values.samples) {
    mkdirSync(values.samples, { recursive: true });
    writeFileSync(join(values.samples, `${kind}.png`), png);
  }
}

console.log(`LocalChartRenderer, 1000×600 PNG, warm runs: ${runs}\n`);
console.log('| kind | cold ms | warm median ms | warm p95 ms | PNG KB |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.kind} | ${r.coldMs} | ${r.warmMedianMs} | ${r.warmP95Ms} | ${Math.round(r.pngBytes / 1024)} |`);
}

mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/charts.json',
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, size: '1000x600', runs, results: rows }, null, 2)}\n`,
);
