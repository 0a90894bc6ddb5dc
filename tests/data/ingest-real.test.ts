import { beforeAll, expect, it } from 'vitest';
import { readDatasetDir, type IngestResult } from '../../src/data/index.ts';
import { describeReal, realDir } from '../support/realData.ts';

describeReal('ingest of the real «В один клик» data set', () => {
  // In a hook, not the suite body: a skipped suite's body still runs to collect its tests.
  let ds: IngestResult;
  beforeAll(async () => {
    ds = await readDatasetDir(realDir());
  });

  it('keeps 1296 of 1300 customers, 494 of them «Снизилась»', () => {
    expect(ds.customersIn).toBe(1300);
    expect(ds.customers).toHaveLength(1296);
    expect(ds.customers.filter((c) => c.label === 1)).toHaveLength(494);
    expect(ds.customers.filter((c) => c.label === 0)).toHaveLength(802);
  });

  it('drops the three zero-revenue customers and the one revenue outlier, with reasons', () => {
    expect(ds.dropped).toEqual([
      { id: 215348, reason: 'zero_revenue' },
      { id: 215357, reason: 'zero_revenue' },
      { id: 215359, reason: 'zero_revenue' },
      { id: 215380, reason: 'revenue_outlier' },
    ]);
    // The rule's threshold sits far from both the outlier (106862.2) and the largest honest month (7799.4).
    // Q3 + 10·IQR of the positive months: 5363.2 + 10 · 771.2.
    expect(ds.outlierThreshold).toBeCloseTo(13075.2, 6);
    expect(Math.max(...ds.customers.map((c) => c.revenueCurrent))).toBe(7799.4);
  });

  it('counts the data rows of every file', () => {
    expect(ds.rowsIn).toEqual({ 'market_file.csv': 1300, 'market_money.csv': 3900, 'market_time.csv': 2600, 'money.csv': 1300 });
  });

  it('pivots customer 215349 from all four files', () => {
    expect(ds.customers.find((c) => c.id === 215349)).toEqual({
      id: 215349,
      label: 1,
      serviceType: 'премиум',
      allowNotify: true,
      marketActive6m: 4.4,
      marketActiveCurrent: 4,
      tenureDays: 819,
      promoShare: 0.75,
      popularCategory: 'Товары для детей',
      categoriesPerVisit: 4,
      unpaidItems: 4,
      serviceErrors: 2,
      pagesPerVisit: 5,
      revenuePrePrev: 4472,
      revenuePrev: 5216,
      revenueCurrent: 4971.6,
      minutesPrev: 12,
      minutesCurrent: 10,
      profit: 4.16,
    });
  });

  it('fixes the «стандартт» typo (10 rows in the real file) and reads «предыдцщий_месяц» as the previous month', () => {
    const types = new Set(ds.customers.map((c) => c.serviceType));
    expect([...types].sort()).toEqual(['премиум', 'стандарт']);
    // 215350 is «стандартт» in market_file.csv.
    expect(ds.customers.find((c) => c.id === 215350)?.serviceType).toBe('стандарт');
    expect(ds.customers.every((c) => Number.isFinite(c.minutesPrev) && Number.isFinite(c.minutesCurrent))).toBe(true);
  });

  it('detects each file’s format without being told', () => {
    expect(ds.formats.market_file).toEqual({ encoding: 'utf-8', separator: ',', lineEnding: 'CRLF', decimal: 'point' });
    expect(ds.formats.money).toEqual({ encoding: 'utf-8', separator: ';', lineEnding: 'CRLF', decimal: 'comma' });
    expect(ds.formats.market_time?.separator).toBe(',');
  });

  it('keeps market_file order and yields only finite numbers', () => {
    const ids = ds.customers.map((c) => c.id);
    expect(ids[0]).toBe(215349);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const c of ds.customers) for (const v of Object.values(c)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  });
});
