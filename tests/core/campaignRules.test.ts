import { describe, expect, it } from 'vitest';
import { chooseOffer, drawArms, newcombeInterval, poolSize, rankEligible, weekSeed, wilsonInterval } from '../../src/core/campaign/index.ts';
import type { Customer } from '../../src/core/domain.ts';
import { customer } from '../data/helpers.ts';
import type { SegmentCutoffs, SegmentSettings } from '../../src/core/segments.ts';

const cutoffs: SegmentCutoffs = { profitQ75: 5, profitMean: 4, unpaidQ75: 4, categoriesQ75: 4, pagesQ25: 5, revenueMedian: 5000 };
const settings: SegmentSettings = { highRisk: 0.7, mediumRisk: 0.4, promoShare: 0.5 };
const offer = (c: Customer, drivers: { feature: string; contribution: number }[], p = 0.9) => chooseOffer({ customer: c, probability: p, drivers }, cutoffs, settings);

describe('offer rule', () => {
  it('picks the offer of the strongest driver that pushes risk up', () => {
    const drivers = [
      { feature: 'pagesPerVisit', contribution: 0.15 },
      { feature: 'unpaidItems', contribution: 0.08 },
      { feature: 'promoShare', contribution: 0.11 },
    ];
    expect(offer(customer(1), drivers)).toEqual({ offer: 'surfers', driver: 'pagesPerVisit', contribution: 0.15 });
    expect(offer(customer(1), drivers.slice(1))).toEqual({ offer: 'promo', driver: 'promoShare', contribution: 0.11 });
  });

  it('skips drivers that lower the risk, however large, and features no offer addresses', () => {
    const drivers = [
      { feature: 'minutesCurrent', contribution: 0.3 },
      { feature: 'unpaidItems', contribution: -0.25 },
      { feature: 'promoShare', contribution: 0.02 },
    ];
    expect(offer(customer(1), drivers)).toMatchObject({ offer: 'promo', driver: 'promoShare' });
    expect(offer(customer(1, { profit: 3 }), [{ feature: 'unpaidItems', contribution: -0.25 }])).toEqual({ offer: 'at-risk', driver: null, contribution: null });
    expect(offer(customer(1, { profit: 3 }), [{ feature: 'unpaidItems', contribution: 0 }]).offer).toBe('at-risk');
  });

  it('gives the cart reminder only to a customer with unpaid items, the gadget offer only for a gadget category', () => {
    const cart = [{ feature: 'unpaidItems', contribution: 0.2 }];
    expect(offer(customer(1, { unpaidItems: 3 }), cart).offer).toBe('cart');
    expect(offer(customer(1, { unpaidItems: 0 }), cart).offer).toBe('at-risk');
    const category = [{ feature: 'popularCategory', contribution: 0.1 }];
    expect(offer(customer(1, { popularCategory: 'Мелкая бытовая техника и электроника' }), category)).toMatchObject({ offer: 'gadgets', driver: 'popularCategory' });
    expect(offer(customer(1, { popularCategory: 'Товары для детей' }), category).offer).toBe('at-risk');
  });

  it('breaks ties in the fixed order cart, promo, surfers, gadgets', () => {
    const tie = [
      { feature: 'categoriesPerVisit', contribution: 0.1 },
      { feature: 'unpaidItems', contribution: 0.1 },
    ];
    expect(offer(customer(1), tie).offer).toBe('cart');
    expect(offer(customer(1), tie.slice().reverse()).offer).toBe('cart');
  });

  it('without an actionable driver follows the value segment: profitable → personal call, otherwise the generic offer', () => {
    const none = [{ feature: 'serviceErrors', contribution: 0.2 }];
    expect(offer(customer(1, { profit: 6 }), none)).toEqual({ offer: 'profitable', driver: null, contribution: null });
    expect(offer(customer(1, { profit: 3 }), none)).toEqual({ offer: 'at-risk', driver: null, contribution: null });
    expect(offer(customer(1, { profit: 6 }), [])).toMatchObject({ offer: 'profitable' });
  });
});

describe('Wilson and Newcombe intervals', () => {
  // Newcombe (1998) Statist. Med. 17:873, Table II, method 10 (hybrid score, no continuity correction).
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('%i/%i − %i/%i → (%f, %f)', (x1, n1, x2, n2, low, high) => {
    const ci = newcombeInterval(x1, n1, x2, n2)!;
    expect(ci.difference).toBeCloseTo(x1 / n1 - x2 / n2, 12);
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it('Wilson: 81/263 → (0.2553, 0.3662), 15/148 → (0.0624, 0.1605), 0/20 → (0, 0.1611) (Newcombe 1998b)', () => {
    const close = (x: number, n: number, lo: number, hi: number) => {
      const w = wilsonInterval(x, n)!;
      expect(w.low).toBeCloseTo(lo, 4);
      expect(w.high).toBeCloseTo(hi, 4);
    };
    close(81, 263, 0.2553, 0.3662);
    close(15, 148, 0.0624, 0.1605);
    close(0, 20, 0, 0.1611);
  });

  it('has no interval for an empty group', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(newcombeInterval(1, 5, 0, 0)).toBeNull();
  });
});

describe('control draw', () => {
  it('draws among ceil(capacity / (1 − share)) candidates, without floating-point surprises', () => {
    expect(poolSize(30, 0.1)).toBe(34);
    expect(poolSize(30, 0.5)).toBe(60);
    expect(poolSize(30, 0.9)).toBe(300);
    expect(poolSize(30, 0)).toBe(30);
  });

  it('fills the capacity from a full pool and holds the rest out; a short pool keeps the share', () => {
    const full = drawArms(34, 30, 0.1, 7);
    expect(full.treated).toHaveLength(30);
    expect(full.control).toHaveLength(4);
    expect(new Set([...full.treated, ...full.control]).size).toBe(34);
    const short = drawArms(10, 30, 0.1, 7);
    expect([short.treated.length, short.control.length]).toEqual([9, 1]);
    expect(drawArms(1, 30, 0.1, 7)).toEqual({ treated: [0], control: [] });
    expect(drawArms(0, 30, 0.1, 7)).toEqual({ treated: [], control: [] });
  });

  it('is the same for the same seed and differs across weeks', () => {
    expect(drawArms(100, 80, 0.2, weekSeed(42, '2026-W48'))).toEqual(drawArms(100, 80, 0.2, weekSeed(42, '2026-W48')));
    expect(drawArms(100, 80, 0.2, weekSeed(42, '2026-W49')).control).not.toEqual(drawArms(100, 80, 0.2, weekSeed(42, '2026-W48')).control);
    expect(weekSeed(42, '2026-W48')).not.toBe(weekSeed(43, '2026-W48'));
    expect(() => weekSeed(42, '2026-48')).toThrow();
  });

  it('holds out every rank alike: over many weeks each pool position is control about share of the time', () => {
    const n = 40;
    const counts = new Array<number>(n).fill(0);
    const weeks = 2000;
    for (let w = 0; w < weeks; w++) for (const i of drawArms(n, 30, 0.25, weekSeed(1, `20${10 + (w % 50)}-W${String(1 + Math.floor(w / 50)).padStart(2, '0')}`)).control) counts[i]++;
    // 10 of 40 per week; binomial sd of a count ≈ √(2000·0.25·0.75) ≈ 19.
    for (const c of counts) expect(Math.abs(c / weeks - 0.25)).toBeLessThan(0.05);
    // Top and bottom of the pool alike: no rank preference.
    const top = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    const bottom = counts.slice(-10).reduce((a, b) => a + b, 0);
    expect(Math.abs(top - bottom) / weeks).toBeLessThan(0.3);
  });

  it('ranks the high band by expected loss, leaving out excluded ids and lower bands', () => {
    const scored = [
      { customer: customer(1, { profit: 2 }), probability: 0.9 },
      { customer: customer(2, { profit: 5 }), probability: 0.75 },
      { customer: customer(3, { profit: 9 }), probability: 0.69 },
      { customer: customer(4, { profit: 9 }), probability: 0.95 },
      { customer: customer(5, { profit: 3.75 }), probability: 1 },
      { customer: customer(6, { profit: 4 }), probability: NaN },
    ];
    const ranked = rankEligible(scored, 0.7, new Set([4]));
    // 2 and 5 tie at 3.75: the smaller id goes first.
    expect(ranked.map((c) => c.customer.id)).toEqual([2, 5, 1]);
    expect(ranked[0].expectedLoss).toBeCloseTo(3.75);
  });
});
