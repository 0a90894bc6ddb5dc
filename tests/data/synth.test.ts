import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../src/core/domain.ts';
import { FEATURE_SCHEMA, toFrame, toLabels } from '../../src/core/features.ts';
import { readDatasetDir, synthesize, type IngestResult, type SynthSummary } from '../../src/data/index.ts';
import { FIRST_ID } from '../../src/data/synth.ts';
import { LogisticRegression, Pipeline, crossValidate, stratifiedKFold } from '../../src/ml/index.ts';
import { itReal, realDir } from '../support/realData.ts';
import { FILES, cleanupTmp, dataLines, tmpDir } from './helpers.ts';

const N = 3000;
let dir: string;
let summary: SynthSummary;
let ds: IngestResult;
const read = (d: string, f: string) => readFileSync(path.join(d, f));

beforeAll(async () => {
  dir = tmpDir();
  summary = await synthesize({ customers: N, seed: 42, outDir: dir });
  ds = await readDatasetDir(dir);
});
afterAll(cleanupTmp);

describe('synthesize', () => {
  it('is deterministic: the same seed gives identical bytes, another seed other bytes', async () => {
    const again = tmpDir();
    const other = tmpDir();
    await synthesize({ customers: N, seed: 42, outDir: again });
    await synthesize({ customers: N, seed: 43, outDir: other });
    for (const f of FILES) {
      expect(read(again, f).equals(read(dir, f)), f).toBe(true);
      expect(read(other, f).equals(read(dir, f)), f).toBe(false);
    }
  });

  itReal('writes the real files’ headers, byte for byte', () => {
    for (const f of FILES) expect(read(dir, f).toString('utf8').split('\r\n')[0], f).toBe(dataLines(f, realDir())[0]);
  });

  it('writes CRLF line ends, no BOM, `;` and decimal commas in money.csv', () => {
    for (const f of FILES) {
      const text = read(dir, f).toString('utf8');
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '').includes('\n'), f).toBe(false);
      expect(text.charCodeAt(0)).not.toBe(0xfeff);
    }
    expect(ds.formats.money).toEqual({ encoding: 'utf-8', separator: ';', lineEnding: 'CRLF', decimal: 'comma' });
    expect(ds.formats.market_file).toMatchObject({ separator: ',', decimal: 'point' });
  });

  it('has the real export’s typos: a few «стандартт», and «предыдцщий_месяц» on every market_time row', () => {
    const market = read(dir, 'market_file.csv').toString('utf8');
    const typos = market.match(/,стандартт,/g)?.length ?? 0;
    expect(typos).toBeGreaterThan(0);
    expect(typos).toBeLessThan(N * 0.03);
    const time = read(dir, 'market_time.csv').toString('utf8');
    expect(time.match(/предыдцщий_месяц/g)).toHaveLength(N);
    expect(time).not.toMatch(/предыдущий_месяц/);
  });

  it('numbers customers from FIRST_ID, outside the real ids, and plants zero-revenue customers and exactly one outlier, which cleaning finds', () => {
    expect(ds.customersIn).toBe(N);
    const ids = read(dir, 'market_file.csv').toString('utf8').split('\r\n').slice(1, -1).map((l) => Number(l.split(',')[0]));
    expect(ids[0]).toBe(FIRST_ID);
    expect(ids.at(-1)).toBe(FIRST_ID + N - 1);
    expect(ids.at(-1)).toBeLessThan(215348); // the real export starts there
    expect(summary.zeroRevenueIds).toHaveLength(Math.round((N * 3) / 1300));
    expect(ds.dropped.filter((d) => d.reason === 'zero_revenue').map((d) => d.id)).toEqual(summary.zeroRevenueIds);
    expect(ds.dropped.filter((d) => d.reason === 'revenue_outlier').map((d) => d.id)).toEqual([summary.outlierId]);
    expect(ds.customers).toHaveLength(N - summary.zeroRevenueIds.length - 1);
    expect(summary.positives).toBe(read(dir, 'market_file.csv').toString('utf8').match(/,Снизилась,/g)?.length);
  });

  itReal('resembles the real data: label share and feature means within 15%', async () => {
    const real = await readDatasetDir(realDir());
    const mean = (cs: Customer[], f: (c: Customer) => number) => cs.reduce((s, c) => s + f(c), 0) / cs.length;
    const share = (cs: Customer[]) => mean(cs, (c) => (c.label === 1 ? 1 : 0));
    expect(Math.abs(share(ds.customers) - share(real.customers))).toBeLessThan(0.04);
    const fields = ['pagesPerVisit', 'minutesPrev', 'minutesCurrent', 'unpaidItems', 'promoShare', 'marketActive6m', 'categoriesPerVisit', 'serviceErrors', 'tenureDays', 'revenuePrePrev', 'revenuePrev', 'revenueCurrent', 'profit'] as const;
    for (const f of fields) {
      for (const label of [0, 1]) {
        const s = mean(ds.customers.filter((c) => c.label === label), (c) => c[f]);
        const r = mean(real.customers.filter((c) => c.label === label), (c) => c[f]);
        expect(Math.abs(s - r) / r, `${f} | label ${label}: synth ${s.toFixed(2)} vs real ${r.toFixed(2)}`).toBeLessThan(0.15);
      }
    }
  });

  it('carries a learnable signal: regularized logistic regression reaches a CV ROC-AUC between 0.85 and 0.95', () => {
    const X = toFrame(ds.customers);
    const y = toLabels(ds.customers);
    const cv = crossValidate(new Pipeline(FEATURE_SCHEMA, new LogisticRegression({ C: 1 })), X, y, stratifiedKFold(y, 5, 1));
    const auc = cv.aucs.reduce((a, b) => a + b, 0) / cv.aucs.length;
    expect(auc).toBeGreaterThan(0.85);
    expect(auc).toBeLessThan(0.95);
  });

  it('the committed demo set data/ is exactly synthesize({ customers: 1300, seed: 42 })', async () => {
    const fresh = tmpDir();
    await synthesize({ customers: 1300, seed: 42, outDir: fresh });
    const committed = path.resolve(process.cwd(), 'data');
    for (const f of FILES) expect(read(committed, f).equals(read(fresh, f)), `data/${f} is stale: regenerate it`).toBe(true);
    const demo = await readDatasetDir(committed);
    expect(demo.customersIn).toBe(1300);
    expect(demo.customers).toHaveLength(1296);
  });

  it('rejects nonsense sizes and seeds', async () => {
    await expect(synthesize({ customers: 0, seed: 1, outDir: tmpDir() })).rejects.toThrow(RangeError);
    await expect(synthesize({ customers: 10, seed: 1.5, outDir: tmpDir() })).rejects.toThrow(RangeError);
  });
});
