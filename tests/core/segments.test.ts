import { describe, expect, it } from 'vitest';
import type { Customer } from '../../src/core/domain.ts';
import {
  offerFor,
  quantile,
  segmentCutoffs,
  segmentsOf,
  summarizeSegment,
  SEGMENT_RULES,
  type SegmentCutoffs,
  type SegmentSettings,
} from '../../src/core/segments.ts';

const base: Customer = {
  id: 1,
  label: 0,
  serviceType: 'стандарт',
  allowNotify: true,
  marketActive6m: 4,
  marketActiveCurrent: 4,
  tenureDays: 600,
  promoShare: 0.2,
  popularCategory: 'Товары для детей',
  categoriesPerVisit: 3,
  unpaidItems: 2,
  serviceErrors: 4,
  pagesPerVisit: 8,
  revenuePrePrev: 4800,
  revenuePrev: 4900,
  revenueCurrent: 5000,
  minutesPrev: 13,
  minutesCurrent: 13,
  profit: 4,
};
const cust = (over: Partial<Customer>): Customer => ({ ...base, ...over });
const set: SegmentSettings = { highRisk: 0.7, mediumRisk: 0.4, promoShare: 0.5 };
const cut: SegmentCutoffs = {
  profitQ75: 5,
  profitMean: 4,
  unpaidQ75: 4,
  categoriesQ75: 4,
  pagesQ25: 5,
  revenueMedian: 5000,
};
const is = (code: keyof typeof SEGMENT_RULES, c: Customer, p: number) => SEGMENT_RULES[code]({ customer: c, probability: p }, cut, set);

describe('segment rules at the edge of every threshold', () => {
  it('profitable: risk strictly above the threshold and profit in the top quartile', () => {
    expect(is('profitable', cust({ profit: 5 }), 0.71)).toBe(true);
    expect(is('profitable', cust({ profit: 5 }), 0.7)).toBe(false);
    expect(is('profitable', cust({ profit: 4.99 }), 0.95)).toBe(false);
  });

  it('at-risk: everyone strictly above the risk threshold', () => {
    expect(is('at-risk', base, 0.7000001)).toBe(true);
    expect(is('at-risk', base, 0.7)).toBe(false);
  });

  it('promo: promo share from 0.5 and profit above the mean, among customers worth retaining', () => {
    expect(is('promo', cust({ promoShare: 0.5, profit: 4.01 }), 0.5)).toBe(true);
    expect(is('promo', cust({ promoShare: 0.49, profit: 4.01 }), 0.5)).toBe(false);
    expect(is('promo', cust({ promoShare: 0.9, profit: 4 }), 0.5)).toBe(false);
    expect(is('promo', cust({ promoShare: 0.9, profit: 6 }), 0.39)).toBe(false);
    expect(is('promo', cust({ promoShare: 0.9, profit: 6 }), 0.4)).toBe(true);
  });

  it('cart: unpaid items from the upper quartile', () => {
    expect(is('cart', cust({ unpaidItems: 4 }), 0.6)).toBe(true);
    expect(is('cart', cust({ unpaidItems: 3 }), 0.6)).toBe(false);
    expect(is('cart', cust({ unpaidItems: 9 }), 0.2)).toBe(false);
  });

  it('cart never holds customers with an empty cart, even when most carts are empty', () => {
    const emptyCut = { ...cut, unpaidQ75: 0 };
    const c = cust({ unpaidItems: 0 });
    expect(SEGMENT_RULES.cart({ customer: c, probability: 0.9 }, emptyCut, set)).toBe(false);
  });

  it('surfers: many categories, few pages and low revenue, all three needed', () => {
    const surfer = cust({ categoriesPerVisit: 4, pagesPerVisit: 5, revenueCurrent: 5000 });
    expect(is('surfers', surfer, 0.5)).toBe(true);
    expect(is('surfers', { ...surfer, categoriesPerVisit: 3 }, 0.5)).toBe(false);
    expect(is('surfers', { ...surfer, pagesPerVisit: 6 }, 0.5)).toBe(false);
    expect(is('surfers', { ...surfer, revenueCurrent: 5000.1 }, 0.5)).toBe(false);
  });

  it('gadgets: either tech category', () => {
    expect(is('gadgets', cust({ popularCategory: 'Мелкая бытовая техника и электроника' }), 0.5)).toBe(true);
    expect(is('gadgets', cust({ popularCategory: 'Техника для красоты и здоровья' }), 0.5)).toBe(true);
    expect(is('gadgets', cust({ popularCategory: 'Кухонная посуда' }), 0.5)).toBe(false);
  });
});

describe('segment summaries', () => {
  it('sorts members by probability × profit and sums the profit at stake', () => {
    const all = [
      { customer: cust({ id: 1, profit: 2 }), probability: 0.9 }, // 1.8
      { customer: cust({ id: 2, profit: 6 }), probability: 0.75 }, // 4.5
      { customer: cust({ id: 3, profit: 9 }), probability: 0.2 }, // not at risk
      { customer: cust({ id: 4, profit: 3 }), probability: 0.8 }, // 2.4
    ];
    const s = summarizeSegment('at-risk', all, cut, set);
    expect(s.members.map((m) => m.customer.id)).toEqual([2, 4, 1]);
    expect(s.size).toBe(3);
    expect(s.share).toBeCloseTo(0.75);
    expect(s.profitAtStake).toBeCloseTo(1.8 + 4.5 + 2.4);
    expect(s.meanRisk).toBeCloseTo((0.9 + 0.75 + 0.8) / 3);
  });

  it('an empty segment reports zeros, not NaN', () => {
    const s = summarizeSegment('profitable', [{ customer: base, probability: 0.1 }], cut, set);
    expect([s.size, s.share, s.meanRisk, s.profitAtStake]).toEqual([0, 0, 0, 0]);
  });

  it('cut-offs follow the data: quartiles interpolate like numpy', () => {
    expect(quantile(Float64Array.of(1, 2, 3, 4), 0.75)).toBeCloseTo(3.25);
    const c = segmentCutoffs([1, 2, 3, 4, 5].map((p) => cust({ profit: p, unpaidItems: p })));
    expect(c.profitQ75).toBe(4);
    expect(c.profitMean).toBe(3);
    expect(c.unpaidQ75).toBe(4);
  });

  it('every cut-off is the quantile its rule names, on hand-counted customers', () => {
    // Each column in a different order, so a cut-off taken from the wrong column shows.
    const rows = [1, 2, 3, 4, 5].map((k) =>
      cust({ profit: 10 * k, unpaidItems: 6 - k, categoriesPerVisit: k + 1, pagesPerVisit: 2 * k, revenueCurrent: 1000 * (6 - k) }),
    );
    expect(segmentCutoffs(rows)).toEqual({
      profitQ75: 40,
      profitMean: 30,
      unpaidQ75: 4,
      categoriesQ75: 5,
      pagesQ25: 4,
      revenueMedian: 3000,
    });
  });

  it('the offer follows behaviour first, then value, then plain risk', () => {
    const c = cust({ unpaidItems: 7, profit: 9 });
    const segs = segmentsOf({ customer: c, probability: 0.9 }, cut, set);
    expect(segs).toEqual(['profitable', 'cart', 'at-risk']);
    expect(offerFor(segs)).toBe('cart');
    expect(offerFor(['profitable', 'at-risk'])).toBe('profitable');
    expect(offerFor(['at-risk'])).toBe('at-risk');
    expect(offerFor([])).toBe('keep');
  });
});
