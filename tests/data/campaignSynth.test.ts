import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../src/core/domain.ts';
import { readDatasetDir, synthesize } from '../../src/data/index.ts';
import { FILES, cleanupTmp, tmpDir } from './helpers.ts';

afterAll(cleanupTmp);

let fromDir: string;
let before: Customer[];
let treated: number[];
let control: number[];

beforeAll(async () => {
  fromDir = tmpDir();
  await synthesize({ customers: 2000, seed: 3, outDir: fromDir });
  before = (await readDatasetDir(fromDir)).customers;
  const declined = before.filter((c) => c.label === 1).map((c) => c.id);
  treated = declined.filter((_, i) => i % 2 === 0);
  control = declined.filter((_, i) => i % 2 === 1);
});

const next = async (effect: number, seed = 9, plan = { treated, control }) => {
  const outDir = tmpDir();
  const summary = await synthesize({ seed, outDir, nextPeriod: { fromDir, effect, plan } });
  return { outDir, summary, customers: (await readDatasetDir(outDir)).customers };
};

describe('synthesize: next period', () => {
  it('keeps the customers and rolls the months on', async () => {
    const { customers, summary } = await next(0.3);
    expect(customers.map((c) => c.id)).toEqual(before.map((c) => c.id));
    expect(summary).toMatchObject({ customers: before.length, zeroRevenueIds: [], outlierId: null });
    const was = new Map(before.map((c) => [c.id, c]));
    for (const c of customers) {
      const b = was.get(c.id)!;
      expect([c.revenuePrePrev, c.revenuePrev, c.minutesPrev, c.tenureDays, c.profit]).toEqual([b.revenuePrev, b.revenueCurrent, b.minutesCurrent, b.tenureDays + 30, b.profit]);
    }
  });

  it('lowers the treated customers’ decline by the relative effect and leaves everyone else alone', async () => {
    const { customers, summary } = await next(0.3);
    const label = new Map(customers.map((c) => [c.id, c.label]));
    const rate = (ids: number[]) => ids.filter((id) => label.get(id) === 1).length / ids.length;
    // Both groups declined this period: untreated they stay declined with probability 0.7.
    expect(summary.expected).toEqual({ treatedDecline: expect.closeTo(0.49, 12), controlDecline: expect.closeTo(0.7, 12), uplift: expect.closeTo(0.21, 12) });
    expect(Math.abs(rate(control) - 0.7)).toBeLessThan(0.06);
    expect(Math.abs(rate(treated) - 0.49)).toBeLessThan(0.06);
    const steady = before.filter((c) => c.label === 0).map((c) => c.id);
    expect(Math.abs(rate(steady) - 0.2)).toBeLessThan(0.04);
  });

  it('with effect 0 writes exactly the files an empty plan would, and is deterministic per seed', async () => {
    const none = await next(0);
    const empty = await next(0.5, 9, { treated: [], control: [] });
    const other = await next(0, 10);
    const bytes = (d: string, f: string) => readFileSync(path.join(d, f));
    for (const f of FILES) {
      expect(bytes(none.outDir, f).equals(bytes(empty.outDir, f)), f).toBe(true);
      // Profit is carried over, so money.csv is the same whatever the seed.
      if (f !== 'money.csv') expect(bytes(none.outDir, f).equals(bytes(other.outDir, f)), f).toBe(false);
    }
    // Only treated customers' labels can change with the effect.
    const withEffect = await next(1);
    const was = new Map(none.customers.map((c) => [c.id, c.label]));
    const changed = withEffect.customers.filter((c) => c.label !== was.get(c.id)).map((c) => c.id);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((id) => treated.includes(id))).toBe(true);
    expect(withEffect.customers.filter((c) => treated.includes(c.id)).every((c) => c.label === 0)).toBe(true);
  });

  it('refuses a plan that does not fit the previous period', async () => {
    await expect(next(0.3, 9, { treated: [1], control: [] })).rejects.toThrow(/not in/);
    await expect(next(0.3, 9, { treated: [treated[0]], control: [treated[0]] })).rejects.toThrow(/both/);
    await expect(next(1.5)).rejects.toThrow(RangeError);
  });
});
