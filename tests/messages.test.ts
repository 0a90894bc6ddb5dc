/**
 * The wording of answers, independent of any model: plurals, units on every money figure,
 * «ожидаемая потеря» instead of «приоритет», п.п. explained where it first appears, no doubled dashes.
 */
import { describe, expect, it } from 'vitest';
import type { RiskAnswer } from '../src/core/assistant.ts';
import type { Customer } from '../src/core/domain.ts';
import type { DigestView } from '../src/core/digest/view.ts';
import { periodFromKey } from '../src/core/digest/period.ts';
import { SEGMENT_CODES, type SegmentSummary } from '../src/core/segments.ts';
import * as M from '../src/messages.ts';

const units: M.MoneyUnits = { money: 'руб.', profit: 'тыс. руб.' };
const NB = '\u00a0';
/** «6,15 тыс. руб.» as the messages write it: a no-break space holds the number to its unit. */
const unit = (u: string) => u.replace(/ /g, NB);

/** The texts read a customer's id and profit; the rest of the record does not matter here. */
const customer = (over: Partial<Customer> = {}): Customer => ({ id: 215349, profit: 6.15, ...over }) as Customer;

const risk = (over: Partial<RiskAnswer> = {}): RiskAnswer => ({
  customer: customer(),
  probability: 0.98,
  baseRate: 0.381,
  band: 'high',
  drivers: [
    { feature: 'serviceErrors', contribution: 0.054, value: 1, typical: 4.2 },
    { feature: 'revenueCurrent', contribution: 0.03, value: 5431.5, typical: 4859 },
    { feature: 'minutesCurrent', contribution: 0.02, value: 10, typical: 13.2 },
    { feature: 'marketActive6m', contribution: -0.01, value: 1.7, typical: 4.3 },
  ],
  modelVersion: 3,
  segments: ['profitable', 'at-risk'],
  offer: 'profitable',
  expectedLoss: 6.03,
  previous: { probability: 0.45, modelVersion: 2, datasetVersion: 1 },
  ...over,
});

const segment = (code: SegmentSummary['code'], size = 22): SegmentSummary => ({
  code,
  size,
  share: size / 1296,
  meanRisk: 0.87,
  profitAtStake: 1036.9,
  members: Array.from({ length: Math.min(size, 5) }, (_, i) => ({
    customer: customer({ id: 215400 + i, profit: 6.15 }),
    probability: 0.98,
    priority: 6.03,
    segments: [code],
  })),
});

/** Every number right after a money word («прибыль 6,15», «потеря: 1 037») and what follows it. */
function moneyFigures(text: string): { figure: string; rest: string }[] {
  const re = /(прибыл[ьи]|потер[яи]|выручк[аи])[^\d\n]{0,40}?(\d[\d\s]*(?:,\d+)?)(.{0,12})/giu;
  // A share («прибыль в верхних 25%») is not a sum of money.
  return [...text.matchAll(re)].map((m) => ({ figure: m[2], rest: m[3] })).filter((f) => !f.rest.startsWith('%'));
}

function expectEveryMoneyFigureWithUnit(text: string) {
  const figures = moneyFigures(text);
  expect(figures.length).toBeGreaterThan(0);
  for (const f of figures) expect(`${f.figure}${f.rest}`, f.figure).toMatch(new RegExp(`^[\\d\\s,]+?\\s(${unit(units.profit)}|${unit(units.money)})`));
}

describe('plurals', () => {
  it.each([
    [0, 'клиентов'],
    [1, 'клиент'],
    [2, 'клиента'],
    [5, 'клиентов'],
    [11, 'клиентов'],
    [21, 'клиент'],
    [22, 'клиента'],
    [25, 'клиентов'],
    [101, 'клиент'],
    [111, 'клиентов'],
  ])('%i %s', (n, noun) => {
    expect(M.fmtCount(n, M.NOUNS.customer)).toBe(`${n} ${noun}`);
    // Where the quoted answers met counts and nouns.
    expect(M.SEGMENT_UI.exportCaption('Серферы', n)).toBe(`Серферы: ${n} ${noun}, по убыванию ожидаемой потери`);
    expect(M.UPLOAD.training(n, 1300)).toContain(`Файлы в порядке: ${n} ${noun} из 1${NB}300.`);
    expect(M.modelText({ model: { version: 1, family: 'knn', cvAuc: 0.91, cvAucStd: 0.02, datasetVersion: 1, createdAt: '2026-12-01T08:00:00Z', scoredCustomers: n }, dataset: { customersIn: 1300, customersKept: n } }, 'Europe/Moscow')).toContain(
      `в анализе ${n} ${noun} из 1${NB}300`,
    );
  });

  it('after «из» the genitive: из 21 клиента, из 22 клиентов', async () => {
    expect(M.fmtCountOf(21, M.OF_CUSTOMERS)).toBe('21 клиента');
    expect(M.fmtCountOf(22, M.OF_CUSTOMERS)).toBe('22 клиентов');
    expect(M.fmtCountOf(1296, M.OF_CUSTOMERS)).toBe(`1${NB}296 клиентов`);
  });

  it('errors and features too', async () => {
    expect(M.DATA_ERRORS.moreProblems(22)).toBe('и ещё 22 ошибки в этом файле (показаны первые)');
    expect(M.DATA_ERRORS.moreProblems(21)).toBe('и ещё 21 ошибка в этом файле (показаны первые)');
    expect(M.CHART_TEXT.importance.rest(2, 3)).toBe('Остальные 2 признака — вместе 3%');
    expect(M.CHART_TEXT.importance.rest(8, 0.3)).toBe('Остальные 8 признаков — вместе меньше 1%');
  });
});

describe('money has its unit, and priority is the expected loss', () => {
  it('in a segment', async () => {
    for (const code of SEGMENT_CODES) {
      const text = M.segmentText(segment(code), units);
      expectEveryMoneyFigureWithUnit(text);
      expect(text).not.toMatch(/приоритет/i);
      expect(text).toContain(`Ожидаемая потеря прибыли: 1${NB}037${NB}${unit(units.profit)} в месяц`);
      expect(text).toContain(`прибыль 6,15${NB}${unit(units.profit)} → потеря 6,03${NB}${unit(units.profit)}`);
    }
  });

  it('in a risk answer: profit, revenue and minutes', async () => {
    const text = M.riskText(risk(), units);
    expectEveryMoneyFigureWithUnit(text);
    expect(text).toContain(`выручка в этом месяце: 5${NB}432${NB}${unit(units.money)} (в среднем 4${NB}859${NB}${unit(units.money)})`);
    expect(text).toContain(`время на сайте в этом месяце: 10${NB}мин (в среднем 13,2${NB}мин)`);
    expect(text).toContain(`ожидаемая потеря 6,03${NB}${unit(units.profit)}`);
  });

  it('in the digest and its CSV header', async () => {
    const view: Pick<DigestView, 'period' | 'model' | 'atRisk' | 'change' | 'top' | 'newcomers' | 'segments'> = {
      period: periodFromKey('2026-W48'),
      model: { version: 2, family: 'knn', datasetVersion: 2 },
      atRisk: { count: 22, profitAtStake: 1036.9, customers: [] },
      change: { since: periodFromKey('2026-W47'), delta: 1, added: [215401], removed: [] },
      top: [{ id: 215401, probability: 0.98, profit: 7.43, priority: 7.31, segments: [], offer: 'at-risk', isNew: true, driver: risk().drivers[1] }],
      newcomers: [{ id: 215401, probability: 0.98, profit: 7.43, priority: 7.31, segments: [], offer: 'at-risk', isNew: true, driver: risk().drivers[1] }],
      segments: [{ code: 'promo', size: 73, profitAtStake: 310.4 }],
    };
    const text = M.DIGEST.text(view, units);
    expectEveryMoneyFigureWithUnit(text);
    expect(text).not.toMatch(/вероятность × прибыль\): \d/);
    expect(text).toContain('🔴 В зоне высокого риска: 22 клиента');
    expect(text).toContain('• Охотники за акциями — 73 клиента');
    expect(M.DIGEST.csvHeader(units)).toEqual(expect.arrayContaining(['прибыль в месяц, тыс. руб.', 'ожидаемая потеря, тыс. руб.']));
    expect(M.EXPORT_HEADER(units)).toEqual(expect.arrayContaining(['прибыль в месяц, тыс. руб.', 'ожидаемая потеря, тыс. руб.']));
    expect(M.EXPORT_HEADER(units).join()).not.toMatch(/приоритет/);
  });

  it('/help says in one line what the expected loss is, in the profit unit', async () => {
    const help = M.CHAT.help([{ command: 'risk', description: 'риск' }], units, 215349);
    const line = help.split('\n').find((l) => l.startsWith('Ожидаемая потеря'));
    expect(line).toBe(
      'Ожидаемая потеря = вероятность снижения покупок × среднемесячная прибыль клиента (тыс. руб.): сколько прибыли в месяц под угрозой. Все списки «кому звонить» отсортированы по ней.',
    );
  });
});

describe('drivers read with their context', () => {
  it('start from the base rate, explain п.п. where it first appears, and end at the probability', async () => {
    const text = M.riskText(risk(), units);
    const first = text.indexOf('п.п.');
    expect(text.slice(0, first)).toMatch(/на сколько процентных пунктов \($/);
    expect(text).toContain('у среднего клиента — 38%');
    // 38,1 + 5,4 + 3 + 2 − 1 = 47,5, so the other features add 50,5 п.п. to reach 98%.
    expect(text).toContain('• +50,5 п.п. — остальные признаки вместе');
    expect(text).toContain('▲ +5,4 п.п. — сбоев сервиса: 1 (в среднем 4,2)');
    expect(text).toContain('маркетинговых касаний в месяц (среднее за полгода): 1,7 (в среднем 4,3)');
  });

  it('show the change since the previous data set', async () => {
    expect(M.riskText(risk(), units).split('\n')[1]).toBe('Было 45% (данные v1), стало 98% ▲');
    expect(M.riskText(risk({ previous: null }), units)).not.toMatch(/Было/);
  });
});

describe('no doubled or broken strings', () => {
  it('a segment heading has one dash', async () => {
    for (const code of SEGMENT_CODES) {
      const [heading] = M.segmentText(segment(code), units).split('\n');
      expect(heading.split(' — ')).toHaveLength(2);
    }
  });

  it('the unknown-segment question is the one line its keyboard answers', async () => {
    expect(M.SEGMENT_UI.unknown('несуществующий')).toBe('Не знаю сегмента «несуществующий». Выберите из списка:');
  });

  it('dropped customers are named as dropped, with the reason', async () => {
    expect(M.CHAT.customerExcluded(215348, 'zero_revenue')).toMatch(
      /^Клиент 215348 есть в выгрузке, но исключён из анализа: нулевая выручка в одном из месяцев\./,
    );
    expect(M.CLI.dropped(215380, 'revenue_outlier')).toBe('  исключён 215380: аномально высокая выручка в одном из месяцев (выброс)');
  });
});

describe('digest sending in the CLI', () => {
  it('says how many parts may not have arrived, with the plural the count takes', () => {
    expect(M.CLI.digestLost(1)).toMatch(/^Могли не дойти: 1 часть сводки \(отправлявший процесс остановился посреди отправки\)\. Повторно не отправлялось/);
    expect(M.CLI.digestLost(3)).toMatch(/^Могли не дойти: 3 части сводки/);
    expect(M.CLI.digestLost(8)).toMatch(/^Могли не дойти: 8 частей сводки/);
  });
});
