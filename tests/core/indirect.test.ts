/**
 * Indirect signals (issue #15, item 3): which candidates a model's evidence marks, what /risk says
 * about them, and that no reason for an offer or a call is ever one of them. Every test here runs
 * without the real export; tests/features/indirect.real.test.ts repeats the checks on it.
 */
import { describe, expect, it } from 'vitest';
import type { RiskAnswer } from '../../src/core/assistant.ts';
import { chooseOffer, DRIVER_OFFERS } from '../../src/core/campaign/index.ts';
import type { Customer } from '../../src/core/domain.ts';
import { buildDigestView, mainDriver, type DigestViewInput } from '../../src/core/digest/view.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import { INDIRECT_CANDIDATES, indirectSignals, type LearnedDirection } from '../../src/core/indirect.ts';
import { strongestReason, type Driver } from '../../src/core/risk.ts';
import type { SegmentSummary } from '../../src/core/segments.ts';
import { customerDriversChart, featureImportanceChart } from '../../src/features/charts/specs.ts';
import * as M from '../../src/messages.ts';
import { customer } from '../data/helpers.ts';

const units = M.DEFAULT_UNITS;
const evidence = (feature: string, correlation: number, pdDelta: number): LearnedDirection => ({
  feature,
  correlation,
  pdDelta,
  direction: Math.abs(pdDelta) < 0.005 ? 0 : pdDelta > 0 ? 1 : -1,
});
/** What the served model measured on the real export (docs/decisions.md «Indirect signals»). */
const REAL = [evidence('marketActiveCurrent', -0.004, -0.012), evidence('serviceErrors', -0.099, -0.011)];

describe('which candidates a model marks as indirect', () => {
  it('the real export: fewer errors go with more decline (opposite to sense); this month’s contacts go with nothing (unclear)', () => {
    expect(Object.fromEntries(indirectSignals(REAL))).toEqual({ serviceErrors: 'opposite', marketActiveCurrent: 'unclear' });
  });

  it('is decided by the evidence, not by the name: a data set where both go the sensible way marks neither', () => {
    const sensible = [evidence('serviceErrors', 0.12, 0.03), evidence('marketActiveCurrent', -0.08, -0.02)];
    expect(indirectSignals(sensible).size).toBe(0);
    // The model's clear word alone is not enough when the data are flat, and a clearly reversed model is «opposite» whatever the data.
    expect(indirectSignals([evidence('serviceErrors', 0.01, 0.03), sensible[1]]).get('serviceErrors')).toBe('unclear');
    expect(indirectSignals([evidence('serviceErrors', 0.12, -0.03), sensible[1]]).get('serviceErrors')).toBe('opposite');
    // The data clearly against sense decide while the model's sampled curve is flat.
    expect(indirectSignals([evidence('serviceErrors', -0.099, -0.003), sensible[1]]).get('serviceErrors')).toBe('opposite');
  });

  it('a model stored before the evidence was recorded names no candidate as a cause', () => {
    expect(Object.fromEntries(indirectSignals(undefined))).toEqual({ serviceErrors: 'unclear', marketActiveCurrent: 'unclear' });
  });

  it('only listed candidates are ever marked; none of them is a feature an offer answers', () => {
    expect(indirectSignals([...REAL, evidence('tenureDays', 0.063, 0.02)]).has('tenureDays')).toBe(false);
    const offerFeatures = new Set(DRIVER_OFFERS.map(([f]) => f));
    expect(Object.keys(INDIRECT_CANDIDATES).filter((f) => offerFeatures.has(f as never))).toEqual([]);
  });
});

const driver = (feature: Driver['feature'], contribution: number, value: number | string, typical: number | string, indirect?: Driver['indirect']): Driver => ({
  feature,
  contribution,
  value,
  typical,
  ...(indirect ? { indirect } : {}),
});

const risk = (drivers: Driver[]): RiskAnswer => ({
  customer: { id: 215388, profit: 5.16 } as Customer,
  probability: 0.9,
  baseRate: 0.39,
  band: 'high',
  drivers,
  modelVersion: 1,
  segments: ['at-risk'],
  offer: 'at-risk',
  expectedLoss: 4.6,
  previous: null,
});

describe('/risk says what an indirect driver stands for', () => {
  const lines = (drivers: Driver[]) => M.riskText(risk(drivers), units).split('\n');

  it('few service errors raising the risk read as low activity, on the line under the driver', () => {
    const text = lines([driver('pagesPerVisit', 0.16, 2, 8.2), driver('serviceErrors', 0.039, 2, 4.2, 'opposite')]);
    const at = text.findIndex((l) => l.startsWith('▲ +3,9 п.п. — сбоев сервиса: 2'));
    expect(at).toBeGreaterThan(0);
    expect(text[at + 1]).toBe('   ↳ Не причина: мало сбоев сервиса — скорее признак низкой активности: кто реже заходит, реже видит сбои.');
    // A plain driver gets no such line.
    expect(text[text.findIndex((l) => l.includes('страниц за визит')) + 1]).toMatch(/^▲ /);
  });

  it('many errors lowering it read as high activity; a pull that fits neither reading is only «no cause»', () => {
    const many = lines([driver('serviceErrors', -0.042, 6, 4.2, 'opposite')]);
    expect(many).toContain('   ↳ Не причина: много сбоев сервиса — скорее признак высокой активности: кто чаще заходит, чаще видит сбои.');
    const odd = lines([driver('serviceErrors', -0.021, 4, 4.2, 'opposite')]);
    expect(odd.join('\n')).toMatch(/↳ Не причина: сбои сервиса сами по себе с уходом почти не связаны/);
    expect(odd.join('\n')).not.toMatch(/низкой активности/);
  });

  it('this month’s contacts on a flat curve: no cause, read only together with other features', () => {
    const text = lines([driver('marketActiveCurrent', 0.035, 3, 4, 'unclear')]).join('\n');
    expect(text).toContain('↳ Не причина: число маркетинговых касаний в этом месяце само по себе с уходом почти не связано');
  });

  it('the drivers chart carries the short reading beside the value', () => {
    const chart = customerDriversChart(risk([driver('serviceErrors', 0.039, 2, 4.2, 'opposite')]), units);
    // Captions are wrapped into lines across the chart's width: read them back as one text.
    const captions = (chart.options!.plugins as { barCaptions: { captions: (string | null)[] } }).barCaptions.captions;
    expect(captions.filter(Boolean).join(' ')).toContain('сбоев сервиса: 2 (в среднем 4,2) — скорее признак низкой активности');
  });
});

describe('no reason for an offer or a call is an indirect signal', () => {
  const errorsFirst = [driver('serviceErrors', 0.12, 1, 4.2, 'opposite'), driver('marketActiveCurrent', 0.08, 3, 4, 'unclear'), driver('pagesPerVisit', 0.05, 3, 8.2), driver('minutesCurrent', 0.02, 9, 13.2)];

  it('the digest’s «Почему» and the export’s main driver take the next driver', () => {
    expect(mainDriver(errorsFirst)?.feature).toBe('pagesPerVisit');
    // Bare contributions (the export) are checked against the model's list.
    const bare = errorsFirst.map(({ feature, contribution }) => ({ feature, contribution }));
    expect(strongestReason(bare, indirectSignals(REAL))?.feature).toBe('pagesPerVisit');
    expect(mainDriver(errorsFirst.slice(0, 2))).toBeNull();
  });

  it('the campaign’s offer rule skips a driver the model marks indirect', () => {
    const cutoffs = { profitQ75: 5, profitMean: 4, unpaidQ75: 4, categoriesQ75: 4, pagesQ25: 5, revenueMedian: 5000 };
    const settings = { highRisk: 0.7, mediumRisk: 0.4, promoShare: 0.5 };
    const drivers = [
      { feature: 'unpaidItems', contribution: 0.2 },
      { feature: 'promoShare', contribution: 0.1 },
    ];
    const c = customer(1, { unpaidItems: 3, promoShare: 0.6 });
    expect(chooseOffer({ customer: c, probability: 0.9, drivers }, cutoffs, settings).offer).toBe('cart');
    // Were a candidate ever an offer's feature, its mark would pass the offer to the next driver.
    const marked = new Map([['unpaidItems', 'opposite' as const]]);
    expect(chooseOffer({ customer: c, probability: 0.9, drivers, indirect: marked }, cutoffs, settings)).toEqual({ offer: 'promo', driver: 'promoShare', contribution: 0.1 });
  });

  it('the digest text names the next driver for a customer whose strongest one is indirect', async () => {
    const member = { customer: customer(215388, { profit: 5.16 }), probability: 0.9, priority: 4.6, segments: ['at-risk' as const] };
    const summary = (code: SegmentSummary['code']) => ({ code, size: code === 'at-risk' ? 1 : 0, share: 0, meanRisk: 0.9, profitAtStake: 4.6, members: code === 'at-risk' ? [member] : [] });
    const assistant = {
      modelInfo: () => ({ model: { version: 1, family: 'knn', datasetVersion: 1 }, dataset: null }),
      segments: async () => ['profitable', 'promo', 'cart', 'surfers', 'gadgets', 'at-risk'].map((c) => summary(c as SegmentSummary['code'])),
      segment: async (code: SegmentSummary['code']) => summary(code),
      risk: async () => risk(errorsFirst),
    } as unknown as DigestViewInput['assistant'];
    const view = await buildDigestView({ assistant, period: periodFromKey('2026-W48'), previous: null, history: [] });
    const text = M.DIGEST.text(view, units);
    expect(text).toContain('   Почему: страниц за визит: 3 (в среднем 8,2)');
    expect(text).not.toMatch(/сбоев сервиса|касаний в этом месяце/);
  });
});

describe('/top_features says the same of an indirect feature, across all customers', () => {
  const top = (indirect?: 'opposite' | 'unclear') => [
    { feature: 'pagesPerVisit', importance: 0.05, direction: null },
    { feature: 'serviceErrors', importance: 0.02, direction: null, ...(indirect ? { indirect } : {}) },
  ];
  const noteUnder = (text: string, label: RegExp) => {
    const lines = text.split('\n');
    return lines[lines.findIndex((l) => label.test(l)) + 1];
  };

  it('an opposite reading: the note under the feature says what it stands for, and that it is no cause', () => {
    const text = M.topFeaturesText(top('opposite'));
    expect(noteUnder(text, /сбоев сервиса/)).toMatch(/↳ Не причина: сбои сервиса скорее признак активности/);
    expect(text.match(/Не причина/g)).toHaveLength(1);
  });

  it('an unclear reading says only that it is no cause on its own; a plain feature gets no note', () => {
    expect(noteUnder(M.topFeaturesText(top('unclear')), /сбоев сервиса/)).toMatch(/↳ Не причина: сбои сервиса сами по себе с уходом почти не связаны/);
    expect(M.topFeaturesText(top())).not.toMatch(/Не причина/);
  });
});

describe('the importance chart marks an indirect feature too', () => {
  it('«(не причина)» beside its direction, and beside no other feature', () => {
    const top = [
      { feature: 'pagesPerVisit', importance: 0.05, direction: { kind: 'numeric' as const, correlation: -0.6 } },
      { feature: 'serviceErrors', importance: 0.02, direction: { kind: 'numeric' as const, correlation: -0.1 }, indirect: 'opposite' as const },
    ];
    const text = JSON.stringify(featureImportanceChart(top));
    expect(text.match(/не причина/g)).toHaveLength(1);
    expect(text).toMatch(/больше → риск ниже \(не причина\)/);
    expect(JSON.stringify(featureImportanceChart(top.map(({ indirect: _, ...f }) => f)))).not.toMatch(/не причина/);
  });
});
