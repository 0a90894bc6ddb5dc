/** Every user-facing Russian string lives here. Code, identifiers and logs stay English. */
import type { PreviousScore, RiskAnswer } from './core/assistant.ts';
import type { DigestView } from './core/digest/view.ts';
import type { DroppedCustomer, FeatureName } from './core/domain.ts';
import type { Entrants } from './core/entrants.ts';
import { INDIRECT_CANDIDATES, isIndirectCandidate, type IndirectFeature } from './core/indirect.ts';
import type { FeatureImportance } from './core/importance.ts';
import type { Band, Driver } from './core/risk.ts';
import type { OfferCode, SegmentCode, SegmentSummary } from './core/segments.ts';
import { shorten } from './core/text.ts';

// ---------------------------------------------------------------- numbers, units, plurals

const formats = new Map<number, Intl.NumberFormat>();

/** Russian number: decimal comma, no-break-space thousands, at most `digits` decimals. */
export const fmtNumber = (v: number, digits = 2): string => {
  let f = formats.get(digits);
  if (!f) formats.set(digits, (f = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: digits })));
  return f.format(v);
};
export const fmtPercent = (p: number): string => `${Math.round(p * 100)}%`;
/** A model is never certain: the extremes read «более 99%» / «менее 1%», not 100% / 0%. */
export const fmtProbability = (p: number): string =>
  p >= 0.995 ? 'более 99%' : p < 0.005 ? 'менее 1%' : fmtPercent(p);
/** Probability points, signed: «+12 п.п.» (explained where a text first uses them: POINTS_EXPLAINED). */
export const fmtPoints = (c: number): string => {
  const v = Math.round(c * 1000) / 10;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmtNumber(Math.abs(v), 1)} п.п.`;
};
export const POINTS_EXPLAINED = 'процентных пунктов (п.п.)';

const pluralRules = new Intl.PluralRules('ru-RU');

/** A noun's forms after a number: 1 клиент, 2 клиента, 5 клиентов. */
export type NounForms = readonly [one: string, few: string, many: string];

export const NOUNS = {
  customer: ['клиент', 'клиента', 'клиентов'],
  error: ['ошибка', 'ошибки', 'ошибок'],
  id: ['номер', 'номера', 'номеров'],
  feature: ['признак', 'признака', 'признаков'],
  chat: ['чат', 'чата', 'чатов'],
  variant: ['вариант', 'варианта', 'вариантов'],
  day: ['день', 'дня', 'дней'],
  page: ['страница', 'страницы', 'страниц'],
  times: ['раз', 'раза', 'раз'],
  part: ['часть', 'части', 'частей'],
} as const satisfies Record<string, NounForms>;

/** The form of `forms` that goes after `n` (Intl.PluralRules: fractions take the genitive singular, «1,5 клиента»). */
export function plural(n: number, forms: NounForms): string {
  switch (pluralRules.select(n)) {
    case 'one':
      return forms[0];
    case 'many':
      return forms[2];
    default:
      return forms[1];
  }
}

/** «22 клиента», «1 296 клиентов»: every count that meets a noun goes through here. */
export const fmtCount = (n: number, forms: NounForms): string => `${fmtNumber(n, 0)} ${plural(n, forms)}`;

/** After «из»: «из 21 клиента», «из 1 296 клиентов» (genitive singular for «one», genitive plural otherwise). */
export const fmtCountOf = (n: number, [genitiveOne, genitiveMany]: readonly [string, string]): string =>
  `${fmtNumber(n, 0)} ${pluralRules.select(n) === 'one' ? genitiveOne : genitiveMany}`;

export const OF_CUSTOMERS = ['клиента', 'клиентов'] as const;

/**
 * What the export's money columns are measured in: «Выручка» (market_money.csv) and «Прибыль»
 * (money.csv). The export does not say; MONEY_UNIT and PROFIT_UNIT set them (README, «Units»).
 */
export interface MoneyUnits {
  money: string;
  profit: string;
}

/**
 * Revenue in rubles, profit in thousands: a regular customer's month reads «5 123 ₽» of revenue and
 * «4,16 тыс. ₽» of profit, each plausible on its own (README, «Units»); the config's defaults.
 */
export const DEFAULT_UNITS: MoneyUnits = { money: '₽', profit: 'тыс. ₽' };

const NBSP = '\u00a0';
/** A number and its unit never part at a line break (Telegram's or a chart label's). */
const withUnit = (n: string, unit: string): string => `${n}${NBSP}${unit.replace(/ /g, NBSP)}`;

/** Fewer decimals for larger sums: «6,15 тыс. ₽», «36,4 тыс. ₽», «1 410 тыс. ₽». */
export function fmtMoney(v: number, unit: string): string {
  const abs = Math.abs(v);
  return withUnit(fmtNumber(v, abs >= 100 ? 0 : abs >= 10 ? 1 : 2), unit);
}

export const fmtMinutes = (v: number): string => withUnit(fmtNumber(v, 1), 'мин');

/** The one-line definition every list sorted by expected loss refers to (/help, the export caption). */
export const EXPECTED_LOSS_EXPLAINED = (u: MoneyUnits) =>
  `Ожидаемая потеря = вероятность снижения покупок × среднемесячная прибыль клиента (${u.profit}): сколько прибыли в месяц под угрозой. Все списки «кому звонить» отсортированы по ней.`;

// ---------------------------------------------------------------- features in business words

/** Business names of model features, as a manager would say them. */
export const FEATURE_LABELS: Record<FeatureName, string> = {
  serviceType: 'тип сервиса',
  allowNotify: 'согласие на рассылки',
  marketActive6m: 'маркетинговых касаний в месяц (среднее за полгода)',
  marketActiveCurrent: 'маркетинговых касаний в этом месяце',
  tenureDays: 'дней с регистрации',
  promoShare: 'доля покупок по акциям',
  popularCategory: 'любимая категория',
  categoriesPerVisit: 'категорий за визит',
  unpaidItems: 'неоплаченных товаров в корзине (за квартал)',
  serviceErrors: 'сбоев сервиса',
  pagesPerVisit: 'страниц за визит',
  revenuePrePrev: 'выручка 2 месяца назад',
  revenuePrev: 'выручка в прошлом месяце',
  revenueCurrent: 'выручка в этом месяце',
  minutesPrev: 'время на сайте в прошлом месяце',
  minutesCurrent: 'время на сайте в этом месяце',
};

export const featureLabel = (feature: string): string => FEATURE_LABELS[feature as FeatureName] ?? feature;

const REVENUE: ReadonlySet<FeatureName> = new Set(['revenuePrePrev', 'revenuePrev', 'revenueCurrent']);
const MINUTES: ReadonlySet<FeatureName> = new Set(['minutesPrev', 'minutesCurrent']);

/** A feature's value with its unit: «75%», «10 мин», «5 432 тыс. ₽», «1,7». */
export function fmtFeatureValue(feature: FeatureName, v: number | string, units: MoneyUnits): string {
  if (typeof v === 'string') return v;
  if (feature === 'promoShare') return fmtPercent(v);
  if (REVENUE.has(feature)) return fmtMoney(v, units.money);
  if (MINUTES.has(feature)) return fmtMinutes(v);
  return fmtNumber(v, Number.isInteger(v) ? 0 : 1);
}

/**
 * What sets a customer apart from the average one, with units: «страниц за визит: 5 (в среднем 8,2)»,
 * «любимая категория: Техника (чаще всего: Товары для детей)». Neutral on purpose: whether it raises
 * or lowers the risk is the contribution's sign, shown beside it.
 */
export function describeDriver(d: Driver, units: MoneyUnits): string {
  const label = FEATURE_LABELS[d.feature];
  const value = fmtFeatureValue(d.feature, d.value, units);
  if (d.typical === undefined) return `${label}: ${value}`;
  if (typeof d.value === 'string' || typeof d.typical === 'string') {
    return d.typical === d.value ? `${label}: ${value} (как у большинства)` : `${label}: ${value} (чаще всего: ${d.typical})`;
  }
  return `${label}: ${value} (в среднем ${fmtFeatureValue(d.feature, d.typical, units)})`;
}

/**
 * What an indirect driver likely stands for, in a manager's words (src/core/indirect.ts decides
 * which drivers are indirect under the served model). `low`/`high`: the customer's side of the
 * typical value when the data tie the feature to decline the other way round from sense;
 * `unclear`: when they tie it to decline neither way. `short` goes on the chart, beside the value.
 */
const INDIRECT_NOTES: Record<IndirectFeature, Record<'low' | 'high' | 'unclear', { text: string; short: string }>> = {
  serviceErrors: {
    low: { text: 'мало сбоев сервиса — скорее признак низкой активности: кто реже заходит, реже видит сбои', short: 'скорее признак низкой активности' },
    high: { text: 'много сбоев сервиса — скорее признак высокой активности: кто чаще заходит, чаще видит сбои', short: 'скорее признак высокой активности' },
    unclear: {
      text: 'сбои сервиса сами по себе с уходом почти не связаны — модель учитывает их только вместе с другими признаками',
      short: 'само по себе с уходом не связано',
    },
  },
  marketActiveCurrent: {
    low: {
      text: 'мало маркетинговых касаний в этом месяце — скорее признак, что удерживать клиента рассылками пока не было нужды',
      short: 'скорее признак, что удерживать не было нужды',
    },
    high: {
      text: 'много маркетинговых касаний в этом месяце — скорее признак, что клиента уже стараются удержать: рассылок больше у тех, кто стал покупать меньше',
      short: 'скорее признак, что клиента уже удерживают',
    },
    unclear: {
      text: 'число маркетинговых касаний в этом месяце само по себе с уходом почти не связано — модель учитывает его только вместе с другими признаками',
      short: 'само по себе с уходом не связано',
    },
  },
};

/** /top_features: what an indirect feature stands for across all customers, instead of a reason to act on it. */
const INDIRECT_OVERALL: Record<IndirectFeature, string> = {
  serviceErrors: 'сбои сервиса скорее признак активности — кто чаще заходит, чаще их видит',
  marketActiveCurrent: 'касания этого месяца скорее следствие — рассылок больше у тех, кого уже удерживают',
};

function indirectOverall(f: FeatureImportance): string | null {
  if (!f.indirect || !isIndirectCandidate(f.feature)) return null;
  return f.indirect === 'unclear' ? INDIRECT_NOTES[f.feature].unclear.text : INDIRECT_OVERALL[f.feature];
}

function indirectNote(d: Driver): { text: string; short: string } | null {
  if (!d.indirect || !isIndirectCandidate(d.feature)) return null;
  const notes = INDIRECT_NOTES[d.feature];
  if (d.indirect === 'unclear') return notes.unclear;
  // The side the pull points to: with the data's direction against sense (−expected), a rise in
  // risk comes from the high side when that direction is «more → riskier».
  const pullHigh = Math.sign(d.contribution) === -INDIRECT_CANDIDATES[d.feature].expected;
  if (typeof d.value !== 'number' || typeof d.typical !== 'number' || d.value === d.typical) return pullHigh ? notes.high : notes.low;
  const valueHigh = d.value > d.typical;
  // «Few errors» lowering the risk fits neither reading (low activity would raise it): say only that it is no cause.
  if (valueHigh !== pullHigh) return notes.unclear;
  return valueHigh ? notes.high : notes.low;
}

/**
 * A /risk driver line, with a second line when the driver is an indirect signal: what it likely
 * stands for, so «мало сбоев» is not read as a reason to call about service errors.
 */
export function driverLines(d: Driver, units: MoneyUnits): string[] {
  const note = indirectNote(d);
  const head = `${d.contribution >= 0 ? '▲' : '▼'} ${fmtPoints(d.contribution)} — ${describeDriver(d, units)}`;
  return note ? [head, `   ↳ Не причина: ${note.text}.`] : [head];
}

/** A drivers-chart caption: the driver, and for an indirect signal what it likely stands for. */
export function driverCaption(d: Driver, units: MoneyUnits): string {
  const note = indirectNote(d);
  return note ? `${describeDriver(d, units)} — ${note.short}` : describeDriver(d, units);
}

/** The comparative a short direction starts with: «больше → риск ниже», «выше → …», «дольше → …». */
const MORE_WORD: Partial<Record<FeatureName, string>> = {
  tenureDays: 'дольше',
  promoShare: 'выше',
  revenuePrePrev: 'выше',
  revenuePrev: 'выше',
  revenueCurrent: 'выше',
};

/** Correlations weaker than this do not give a direction worth stating. */
const CLEAR_DIRECTION = 0.05;

/**
 * Which way a feature pushes the risk, after its name: «страниц за визит: больше → риск ниже»,
 * «тип сервиса: риск выше у «стандарт»»; null when the data show no clear direction.
 */
export function describeDirection(f: Pick<FeatureImportance, 'feature' | 'direction'>): string | null {
  const d = f.direction;
  if (!d) return null;
  if (d.kind === 'categorical') return `риск выше у «${d.riskiest}»`;
  if (Math.abs(d.correlation) < CLEAR_DIRECTION) return null;
  return `${MORE_WORD[f.feature as FeatureName] ?? 'больше'} → риск ${d.correlation > 0 ? 'выше' : 'ниже'}`;
}

export const CHART_TEXT = {
  drivers: {
    title: (id: number, p: string) => `Откуда риск ${p} у клиента ${id}`,
    axis: 'вероятность снижения покупок, %',
    base: 'в среднем по клиентам',
    rest: 'остальные признаки вместе',
    total: (id: number) => `итог для клиента ${id}`,
    up: 'повышает риск',
    down: 'снижает риск',
    level: 'вероятность',
  },
  importance: {
    title: 'Что сильнее всего влияет на риск снижения покупок',
    axis: 'доля во влиянии на прогноз, %',
    unclear: 'направление неоднозначно',
    /** Beside an indirect feature's direction (src/core/indirect.ts): the chart says what /top_features' note says. */
    notCause: 'не причина',
    // «вместе 0%» would read as no influence at all; the /top_features text says «меньше 1%» too.
    rest: (n: number, share: number) => `Остальные ${fmtCount(n, NOUNS.feature)} — вместе ${share < 0.5 ? 'меньше 1' : fmtNumber(share, 0)}%`,
  },
  segments: {
    title: 'Сегменты: сколько клиентов и сколько прибыли под угрозой',
    subtitle: (atRisk: string, loss: string) => `Всего в зоне высокого риска: ${atRisk}, ожидаемая потеря ${loss} в месяц`,
    sizeAxis: 'клиентов',
    lossAxis: (u: MoneyUnits) => `ожидаемая потеря, ${u.profit}`,
    only: 'только в этом сегменте',
    shared: 'ещё и в другом сегменте',
    loss: 'ожидаемая потеря',
  },
  segment: {
    title: (name: string) => `${name}: кому звонить первым`,
    subtitle: (size: string, share: string, loss: string) => `${size} (${share} от всех) · ожидаемая потеря ${loss} в месяц`,
    axis: (u: MoneyUnits) => `ожидаемая потеря, ${u.profit} в месяц`,
    bar: (id: number, p: string) => `${id} · риск ${p}`,
    more: (n: number) => `и ещё ${fmtCount(n, NOUNS.customer)} — весь список в /export`,
    empty: 'В сегменте сейчас никого нет',
  },
  distribution: {
    title: 'Сколько клиентов с каким риском',
    xAxis: 'вероятность снижения покупок, %',
    yAxis: 'клиентов',
    threshold: (t: number) => `порог высокого риска ${Math.round(t * 100)}%`,
    below: (n: number) => `ниже порога: ${fmtCount(n, NOUNS.customer)}`,
    above: (n: number) => `высокий риск: ${fmtCount(n, NOUNS.customer)}`,
  },
  trend: {
    title: 'Клиенты с высоким риском по неделям',
    xAxis: 'неделя, с понедельника',
    yAxis: 'клиентов с высоким риском',
    oneWeek: (n: number, week: string) => [
      `Пока есть только одна неделя (с ${week}):`,
      `${fmtCount(n, NOUNS.customer)} в зоне высокого риска.`,
      'Динамика появится со следующей сводкой.',
    ],
  },
  empty: 'Нет данных для графика',
} as const;

export const BAND_LABELS: Record<Band, string> = { low: 'низкий', medium: 'средний', high: 'высокий' };
const BAND_ICONS: Record<Band, string> = { low: '🟢', medium: '🟡', high: '🔴' };

export const SEGMENT_TEXT: Record<SegmentCode, { title: string; aliases: string[]; about: string }> = {
  profitable: {
    title: 'Прибыльные под угрозой',
    aliases: ['прибыльные', 'прибыльные_под_угрозой', 'ценные', 'vip'],
    about: 'высокий риск и прибыль в верхних 25%',
  },
  promo: {
    title: 'Охотники за акциями',
    aliases: ['акции', 'охотники', 'охотники_за_акциями', 'промо'],
    about: 'не меньше половины покупок по акциям, прибыль выше средней',
  },
  cart: {
    title: 'Чемпионы по бросанию корзин',
    aliases: ['корзина', 'корзины', 'брошенные_корзины'],
    about: 'много неоплаченных товаров в корзине',
  },
  surfers: {
    title: 'Серферы',
    aliases: ['серферы', 'сёрферы'],
    about: 'смотрят много категорий, но мало страниц и мало покупают',
  },
  gadgets: {
    title: 'Любители гаджетов',
    aliases: ['гаджеты', 'техника', 'любители_гаджетов'],
    about: 'чаще всего покупают технику и электронику',
  },
  'at-risk': {
    title: 'Все в зоне риска',
    aliases: ['риск', 'в_зоне_риска', 'все', 'at_risk', 'atrisk'],
    about: 'все клиенты с высоким риском снижения покупок',
  },
};

export const OFFER_TEXT: Record<OfferCode, { action: string; reason: string }> = {
  profitable: {
    action: 'позвонить лично и предложить персональную скидку 10% на любимую категорию',
    reason: 'клиент приносит много прибыли, и его потеря обойдётся дорого',
  },
  promo: {
    action: 'прислать персональный промокод на любимую категорию',
    reason: 'клиент реагирует на акции',
  },
  cart: {
    action: 'напомнить о корзине и дать бесплатную доставку',
    reason: 'в корзине копятся неоплаченные товары',
  },
  surfers: {
    action: 'прислать персональную подборку товаров и упростить навигацию',
    reason: 'клиент много ищет, но не находит нужное',
  },
  gadgets: {
    action: 'предложить рассрочку или расширенную гарантию на технику',
    reason: 'клиент интересуется техникой и электроникой',
  },
  'at-risk': {
    action: 'отправить персональное письмо с подборкой и бонусом на следующий заказ',
    reason: 'риск снижения покупок высокий',
  },
  keep: {
    action: 'особых мер не нужно — достаточно обычных рассылок',
    reason: 'риск снижения покупок невысокий',
  },
};

export const offerLine = (o: OfferCode): string => `${OFFER_TEXT[o].action} (${OFFER_TEXT[o].reason})`;

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** «Было 45% (данные v1), стало 82% ▲» */
function changeLine(previous: PreviousScore, now: number): string {
  const delta = now - previous.probability;
  const arrow = delta >= 0.005 ? '▲' : delta <= -0.005 ? '▼' : '— без изменений';
  return `Было ${fmtProbability(previous.probability)} (данные v${previous.datasetVersion}), стало ${fmtProbability(now)} ${arrow}`;
}

/**
 * A customer's risk read top to bottom like the drivers chart: the average customer's probability,
 * what this customer's differences add in п.п., and the rest of the features, summing to the shown probability.
 */
export function riskText(r: RiskAnswer, units: MoneyUnits): string {
  const p = fmtProbability(r.probability);
  const rest = r.probability - r.baseRate - sum(r.drivers.map((d) => d.contribution));
  return [
    `${BAND_ICONS[r.band]} Клиент ${r.customer.id}: ${p} — ${BAND_LABELS[r.band]} риск снижения покупок`,
    ...(r.previous ? [changeLine(r.previous, r.probability)] : []),
    `Прибыль: ${fmtMoney(r.customer.profit, units.profit)} в месяц → ожидаемая потеря ${fmtMoney(r.expectedLoss, units.profit)}`,
    '',
    `Откуда ${p}: у среднего клиента — ${fmtPercent(r.baseRate)}, а вот что у этого клиента иначе и на сколько ${POINTS_EXPLAINED} это меняет вероятность:`,
    ...r.drivers.flatMap((d) => driverLines(d, units)),
    `• ${fmtPoints(rest)} — ${CHART_TEXT.drivers.rest}`,
    '',
    `Сегменты: ${r.segments.length ? r.segments.map((s) => SEGMENT_TEXT[s].title).join(', ') : 'нет'}`,
    `Что сделать: ${offerLine(r.offer)}.`,
    '',
    `Модель v${r.modelVersion}. ▲ повышает риск, ▼ снижает.`,
  ].join('\n');
}

const EXCLUSION_REASONS: Record<DroppedCustomer['reason'], string> = {
  zero_revenue: 'нулевая выручка в одном из месяцев',
  revenue_outlier: 'аномально высокая выручка в одном из месяцев (выброс)',
};

export const exclusionReason = (reason: DroppedCustomer['reason']): string => EXCLUSION_REASONS[reason];

/** Examples name a customer of the served data set, so trying one always works. */
const riskExample = (id: number | null): string => (id === null ? '/risk ID' : `/risk ${id}`);
const forExample = (id: number | null): string => (id === null ? '.' : `, например ${id}.`);
const plainExample = (id: number | null): string => `«риск ${id ?? 'ID'}»`;

/** What free text the assistant understands, for the greeting, /help and the menu after a message it did not. */
const plainTextExamples = (id: number | null) => [
  `${plainExample(id)} (или ${riskExample(id)}) — риск клиента и причины`,
  '«кто в зоне риска» — все клиенты с высоким риском',
  '«кому звонить» — кому звонить первым',
  '«что влияет на отток» — главные причины по всем клиентам',
  '«прибыльные» — ценные клиенты под угрозой',
];

/** How many ids one /risk answers; more would flood the chat. */
export const MAX_RISK_IDS = 5;

export const CHAT = {
  start: (exampleId: number | null) =>
    [
      'Здравствуйте! Я помощник менеджера по удержанию клиентов магазина «В один клик».',
      'Я подсказываю, кто из постоянных клиентов скоро начнёт покупать меньше, почему, и что им предложить.',
      '',
      'Попробуйте:',
      `${riskExample(exampleId)} — риск и причины для клиента`,
      '/segment — сегменты клиентов с предложениями',
      '/top_features — что сильнее всего влияет на риск',
      '',
      'Можно и словами, например:',
      ...plainTextExamples(exampleId).slice(0, 3).map((l) => `• ${l}`),
      '',
      'Все команды — /help',
    ].join('\n'),
  help: (commands: { command: string; description: string }[], units: MoneyUnits, exampleId: number | null) =>
    [
      'Команды:',
      ...commands.map((c) => `/${c.command} — ${c.description}`),
      '',
      'Можно писать и словами:',
      ...plainTextExamples(exampleId).map((l) => `• ${l}`),
      '',
      EXPECTED_LOSS_EXPLAINED(units),
    ].join('\n'),
  askRiskId: (exampleId: number | null) => `Пришлите номер клиента (id)${forExample(exampleId)} Можно несколько через пробел.`,
  badRiskId: (text: string, exampleId: number | null) =>
    `«${shorten(text, 40)}» не похоже на номер клиента. Пришлите число${forExample(exampleId)}`,
  customerNotFound: (id: string, near: string[]) =>
    `Клиент не найден: ${id}.` + (near.length ? ` Ближайшие известные номера: ${near.join(', ')}.` : ''),
  customerExcluded: (id: number, reason: DroppedCustomer['reason']) =>
    `Клиент ${id} есть в выгрузке, но исключён из анализа: ${exclusionReason(reason)}. Модель таких клиентов не оценивает.`,
  tooManyIds: (given: number, shown: readonly number[]) =>
    `Прислано ${fmtCount(given, NOUNS.id)}; показываю первые ${shown.length}: ${shown.join(', ')}. Остальные пришлите отдельным сообщением.`,
  noModel: 'Модель ещё не обучена: загрузите данные (/upload) — и я отвечу.',
  unknownCommand: 'Не знаю такой команды. Список команд — /help',
  notUnderstood: (exampleId: number | null) =>
    ['Не понял вопрос. Вот что я умею:', ...plainTextExamples(exampleId).map((l) => `• ${l}`), 'Все команды — /help'].join('\n'),
  somethingWrong: 'Что-то пошло не так. Попробуйте ещё раз чуть позже.',
  accessDenied: 'Извините, этот бот доступен только сотрудникам отдела удержания. Обратитесь к администратору.',
  privateChatsOnly: 'Я работаю только в личных чатах с сотрудниками отдела удержания и в рабочих чатах команды. Напишите мне в личные сообщения.',
  chartNotSent: 'График не удалось отправить — текст ответа выше. Попробуйте запросить его ещё раз позже.',
  fileNotSent: 'Файл не удалось отправить. Попробуйте запросить его ещё раз позже.',
  adminOnly: 'Эта команда доступна только администраторам.',
  rateLimited: 'Слишком много запросов подряд. Подождите немного и повторите.',
  photoSaved: (path: string) => `[график сохранён: ${path}]`,
  documentSaved: (path: string) => `[файл сохранён: ${path}]`,
  buttonHint: (text: string, command: string) => `  [${text}] → ${command}`,
} as const;

export const COMMAND_DESCRIPTIONS: Record<string, string> = {
  start: 'начать',
  help: 'список команд',
  risk: 'риск клиента: /risk ID (до 5 номеров)',
  segment: 'сегменты и предложения',
  top_features: 'что влияет на риск',
  model: 'текущая модель, её качество и распределение риска',
  export: 'выгрузить сегмент в CSV',
  subscribe: 'еженедельная сводка',
  unsubscribe: 'отписаться от сводки',
  upload: 'как загрузить новые данные',
};

export const SEGMENT_UI = {
  choose: 'Выберите сегмент:',
  chooseExport: 'Какой сегмент выгрузить в CSV?',
  unknown: (name: string) => `Не знаю сегмента «${shorten(name, 40)}». Выберите из списка:`,
  exportButton: '📄 Выгрузить CSV',
  exportCaption: (title: string, size: number) => `${title}: ${fmtCount(size, NOUNS.customer)}, по убыванию ожидаемой потери`,
};

export const EXPORT_HEADER = (u: MoneyUnits) => [
  'id',
  'вероятность',
  'риск',
  `прибыль в месяц, ${u.profit}`,
  `ожидаемая потеря, ${u.profit}`,
  'любимая категория',
];

export function segmentText(s: SegmentSummary, units: MoneyUnits): string {
  const t = SEGMENT_TEXT[s.code];
  const top = s.members.slice(0, 5);
  return [
    `🎯 ${t.title} — ${t.about}`,
    `Клиентов: ${fmtNumber(s.size, 0)} (${fmtNumber(s.share * 100, 1)}% от всех)`,
    `Средний риск: ${s.size ? fmtProbability(s.meanRisk) : '—'}`,
    `Ожидаемая потеря прибыли: ${fmtMoney(s.profitAtStake, units.profit)} в месяц`,
    '',
    top.length ? 'Кому звонить первым (по ожидаемой потере = риск × прибыль):' : 'В сегменте сейчас никого нет.',
    ...top.map(
      (m, i) =>
        `${i + 1}. ${m.customer.id} — риск ${fmtProbability(m.probability)}, прибыль ${fmtMoney(m.customer.profit, units.profit)} → потеря ${fmtMoney(m.priority, units.profit)}`,
    ),
    '',
    `Что предложить: ${offerLine(s.code)}.`,
    `Подробнее о клиенте: /risk ID. Весь список: /export ${s.code}`,
  ].join('\n');
}

/** Importance as a share of the total, in whole percent; unused features (importance ≤ 0) get 0. */
export function importanceShares(top: readonly Pick<FeatureImportance, 'importance'>[]): number[] {
  const total = sum(top.map((f) => Math.max(0, f.importance)));
  return top.map((f) => (total > 0 ? (Math.max(0, f.importance) / total) * 100 : 0));
}

/** Features whose share rounds below 1% are grouped, not listed one by one. */
export const MIN_LISTED_SHARE = 0.5;

export function topFeaturesText(top: readonly FeatureImportance[]): string {
  const shares = importanceShares(top);
  const listed = top.map((f, i) => ({ f, share: shares[i] })).filter((x) => x.share >= MIN_LISTED_SHARE);
  const rest = top.length - listed.length;
  return [
    'Что сильнее всего влияет на риск снижения покупок (доля во влиянии на прогноз):',
    ...listed.slice(0, 10).flatMap(({ f, share }, i) => {
      const direction = describeDirection(f);
      const note = indirectOverall(f);
      return [`${i + 1}. ${featureLabel(f.feature)} — ${fmtNumber(share, 0)}%${direction ? `: ${direction}` : ''}`, ...(note ? [`   ↳ Не причина: ${note}.`] : [])];
    }),
    ...(listed.length > 10 ? [`…и ещё ${fmtCount(listed.length - 10, NOUNS.feature)} по 1–${fmtNumber(listed[10].share, 0)}%`] : []),
    ...(rest > 0 ? [`Ещё ${fmtCount(rest, NOUNS.feature)} почти не влияют (меньше 1% каждый): модель на них не опирается.`] : []),
    '',
    'Доля — насколько хуже модель отличает уходящих клиентов, если значения признака перемешать, от суммы по всем признакам. ' +
      'Направление («→ риск выше/ниже») — как признак связан с прогнозом у нынешних клиентов.',
  ].join('\n');
}

export function modelText(
  info: {
    model: { version: number; family: string; cvAuc: number; cvAucStd: number; datasetVersion: number; createdAt: string; scoredCustomers: number };
    dataset: { customersIn: number; customersKept: number } | null;
  },
  timeZone: string,
): string {
  const m = info.model;
  const dropped = info.dataset ? info.dataset.customersIn - info.dataset.customersKept : 0;
  return [
    `Модель v${m.version}: ${FAMILY_LABELS[m.family] ?? m.family}`,
    `Качество (ROC-AUC на кросс-валидации): ${fmtNumber(m.cvAuc, 3)} ± ${fmtNumber(m.cvAucStd, 3)} — 1 значит идеально, 0,5 — наугад`,
    `Данные: версия ${m.datasetVersion}` +
      (info.dataset
        ? `, в анализе ${fmtCount(info.dataset.customersKept, NOUNS.customer)} из ${fmtNumber(info.dataset.customersIn, 0)}` +
          (dropped > 0 ? ` (${fmtNumber(dropped, 0)} исключено: нулевая или аномальная выручка)` : '')
        : ''),
    `Обучена: ${fmtDateTime(m.createdAt, timeZone)}`,
    `Оценено клиентов: ${fmtNumber(m.scoredCustomers, 0)}. Как они распределены по риску — на графике.`,
  ].join('\n');
}

export const FAMILY_LABELS: Record<string, string> = {
  logistic: 'логистическая регрессия',
  knn: 'k ближайших соседей',
  tree: 'дерево решений',
  svc: 'метод опорных векторов',
  forest: 'случайный лес',
  boosting: 'градиентный бустинг',
  ensemble: 'ансамбль моделей',
};

/** «01.12.2026, 09:00 МСК»; other zones get their own short name. */
export function fmtDateTime(iso: string, timeZone: string): string {
  const moscow = timeZone === 'Europe/Moscow';
  const s = new Date(iso).toLocaleString('ru-RU', {
    timeZone,
    dateStyle: 'short',
    timeStyle: 'short',
  });
  if (moscow) return `${s} МСК`;
  const zone = new Intl.DateTimeFormat('ru-RU', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(iso)).find((p) => p.type === 'timeZoneName');
  return zone ? `${s} ${zone.value}` : s;
}

/** Problems found in uploaded data files (src/data); shown as `файл:строка: сообщение`. */
/** Problems specific to contacts.csv (file:line in front, as every file problem). */
export const CONTACT_ERRORS = {
  notFound: (where: string) => `не найдено: ${where}`,
  badPhone: (value: string) => `«${value}» — не похоже на номер телефона: нужно 10–15 цифр (можно с «+», пробелами, скобками и дефисами)`,
  badEmail: (value: string) => `«${value}» — не похоже на адрес электронной почты`,
  unknownCustomer: (id: number) => `клиента ${id} нет в данных — строка пропущена`,
  duplicateFile: (other: string) => `контакты переданы дважды (ещё ${other}) — оставьте один файл`,
} as const;

export const DATA_ERRORS = {
  dirNotFound: (dir: string) => `папка с данными не найдена: ${dir}`,
  missingFile: 'файл не найден — нужны четыре файла: market_file.csv, market_money.csv, market_time.csv, money.csv',
  duplicateFile: (other: string) => `файл с этой ролью передан дважды (ещё ${other}) — оставьте один`,
  emptyFile: 'файл пуст',
  headerOnly: 'в файле только заголовок, строк с данными нет',
  notText: 'файл не похож на текстовый CSV (внутри двоичные данные)',
  badEncoding: 'текст испорчен: это не UTF-8 и не Windows-1251 (или кодировки смешаны)',
  badZip: 'не удалось распаковать архив: файл повреждён или это не ZIP',
  zipTooLarge: (mb: number) => `файл в архиве слишком большой (больше ${mb} МБ)`,
  missingColumn: (column: string) => `нет столбца «${column}»`,
  duplicateColumn: (column: string) => `столбец «${column}» встречается дважды`,
  fieldCount: (expected: number, got: number) =>
    got < expected
      ? `в строке ${got} из ${expected} полей — строка обрезана или не тот разделитель`
      : `в строке ${got} полей вместо ${expected} — лишний разделитель или кавычка`,
  unclosedQuote: 'незакрытая кавычка — строка не заканчивается',
  badQuotes: 'неправильные кавычки в строке',
  lineTooLong: 'слишком длинная строка — вероятно, незакрытая кавычка',
  emptyValue: (column: string) => `пустое значение в столбце «${column}»`,
  notNumber: (column: string, value: string) => `«${value}» — не число (столбец «${column}»)`,
  nanValue: (column: string) => `пропущенное значение (NaN) в столбце «${column}»`,
  negative: (column: string, value: string) => `отрицательное значение ${value} в столбце «${column}»`,
  outOfRange: (column: string, value: string, min: number, max: number) =>
    `значение ${value} в столбце «${column}» вне допустимого диапазона от ${min} до ${max}`,
  badId: (value: string) => `«${value}» — не номер клиента (нужно целое положительное число)`,
  unknownValue: (column: string, value: string, allowed: readonly string[]) =>
    `неизвестное значение «${value}» в столбце «${column}»; допустимо: ${allowed.map((a) => `«${a}»`).join(', ')}`,
  duplicateId: (id: number, firstLine: number) => `клиент ${id} уже встречался в строке ${firstLine}`,
  duplicatePeriod: (id: number, period: string, firstLine: number) =>
    `для клиента ${id} период «${period}» уже был в строке ${firstLine}`,
  missingPeriod: (id: number, period: string) => `для клиента ${id} нет строки за период «${period}»`,
  missingInFile: (id: number, file: string) => `клиента ${id} нет в файле ${file}`,
  moreProblems: (n: number) => `и ещё ${fmtCount(n, NOUNS.error)} в этом файле (показаны первые)`,
  zipTotalTooLarge: (mb: number) => `архив распаковывается больше чем в ${mb} МБ — в нём должны быть только четыре CSV-файла`,
  zipRatioTooHigh: (ratio: number) => `в архиве этот файл сжат больше чем в ${fmtCount(ratio, NOUNS.times)} — у выгрузки CSV так не бывает; загрузите файлы без архива или упакуйте их заново`,
  zipTooManyEntries: (n: number) => `в архиве больше ${n} файлов — оставьте в нём только четыре CSV-файла`,
} as const;

/** New data through the chat (src/bot/upload.ts): staging, validation, retraining. */
export const UPLOAD = {
  howTo: (files: readonly string[], timeoutMin: number, maxMb: number) =>
    [
      '📤 Как загрузить новые данные',
      '',
      `Пришлите в этот чат четыре CSV-файла: ${files.join(', ')} —`,
      '• по одному, альбомом (несколько файлов в одном сообщении) или одним .zip-архивом;',
      '• в кодировке UTF-8 (можно с BOM) или Windows-1251, как сохраняет Excel;',
      `• каждый файл — не больше ${maxMb} МБ (большие файлы упакуйте в .zip).`,
      '',
      `Я соберу файлы (жду до ${timeoutMin} мин), проверю их, сохраню как новую версию данных и переобучу модель.`,
      'Пока модель обучается, бот отвечает по прежней. Если в файлах ошибки, ничего не изменится — я покажу, где они.',
      'Загружать данные могут только администраторы.',
    ].join('\n'),
  adminOnly: 'Загружать данные и переобучать модель могут только администраторы. Если данные пора обновить — напишите администратору.',
  wrongType: (name: string, files: readonly string[]) =>
    `Файл «${shorten(name, 80)}» не подходит: нужны CSV-файлы ${files.join(', ')} или один .zip с ними. ` +
    'Таблицу Excel сохраните как «CSV (разделители — запятые)».',
  unknownName: (name: string, files: readonly string[]) =>
    `Не знаю, что за файл «${shorten(name, 80)}». Нужны файлы с именами ${files.join(', ')} — переименуйте его и пришлите снова.`,
  tooLarge: (name: string, sizeMb: number, maxMb: number) =>
    `Файл «${shorten(name, 80)}» слишком большой (${fmtNumber(sizeMb, 1)} МБ): Telegram даёт боту скачать не больше ${maxMb} МБ. ` +
    'Упакуйте файлы в .zip — CSV сжимается в несколько раз.',
  notCsv: (name: string) =>
    `Файл «${shorten(name, 80)}» не похож на CSV: внутри двоичные данные (возможно, это таблица Excel или картинка). Сохраните таблицу как CSV и пришлите снова.`,
  downloadFailed: (name: string) => `Не удалось скачать файл «${shorten(name, 80)}» из Telegram. Пришлите его ещё раз.`,
  expired: (timeoutMin: number) => `Прошлая загрузка устарела (файлы ждали дольше ${timeoutMin} мин) — собираю заново.`,
  received: (got: readonly string[], missing: readonly string[], timeoutMin: number) =>
    [
      `📥 Получено: ${got.join(', ')}.`,
      `Жду ещё: ${missing.join(', ')}.`,
      `Файлы храню ${timeoutMin} мин; файл с тем же именем заменяет прежний.`,
    ].join('\n'),
  queued: '⏳ Жду, пока закончится другое обновление данных…',
  /** The retrain lease stayed busy past the wait (src/core/lease.ts); nothing was stored. */
  queueGaveUp: (minutes: number) =>
    `⚠️ Другое обновление данных идёт дольше ${fmtCountOf(minutes, ['минуты', 'минут'])} — не дождался своей очереди. ` +
    'Эти файлы не сохранены, бот отвечает по прежней модели. Пришлите их снова чуть позже.',
  validating: '⏳ Проверяю файлы…',
  training: (kept: number, total: number) =>
    [
      `✅ Файлы в порядке: ${fmtCount(kept, NOUNS.customer)} из ${fmtNumber(total, 0)}.`,
      '⏳ Обучаю модель — обычно это занимает до пары минут. Пока бот отвечает по прежней модели.',
    ].join('\n'),
  /** `filesKept`: the loose files stay staged, so re-sending only the fixed one completes the set. */
  dataErrors: (lines: readonly string[], rest: number, timeoutMin: number, filesKept: boolean) =>
    [
      '❌ В файлах есть ошибки — данные не загружены, модель прежняя.',
      '',
      ...lines,
      ...(rest > 0 ? [`…и ещё ${fmtCount(rest, NOUNS.error)}.`] : []),
      '',
      filesKept
        ? `Исправьте файл и пришлите его снова — остальные я помню ${timeoutMin} мин.`
        : 'Исправьте ошибки и пришлите архив снова.',
    ].join('\n'),
  trainingFailed: (activeVersion: number | null) =>
    '❌ Не удалось обучить модель на новых данных. ' +
    (activeVersion === null ? 'Модели пока нет.' : `Бот по-прежнему отвечает по модели v${activeVersion}.`) +
    ' Попробуйте позже или обратитесь к администратору.',
  interrupted: '⚠️ Бот перезапускается — обучение прервано. Работает прежняя модель; пришлите файлы снова, когда бот вернётся.',
  done: (r: {
    datasetVersion: number;
    rowsIn: Record<string, number>;
    customersIn: number;
    customersKept: number;
    previous: { version: number; cvAuc: number } | null;
    model: { version: number; cvAuc: number; family: string };
    compared: number;
    bandChanges: number;
  }) => {
    const family = FAMILY_LABELS[r.model.family] ?? r.model.family;
    const dropped = r.customersIn - r.customersKept;
    return [
      '✅ Готово: данные обновлены, модель переобучена.',
      '',
      `Строк прочитано: ${Object.entries(r.rowsIn).map(([f, n]) => `${f} — ${fmtNumber(n, 0)}`).join(', ')}.`,
      `Клиентов в работе: ${fmtNumber(r.customersKept, 0)} из ${fmtNumber(r.customersIn, 0)}` +
        (dropped > 0 ? ` (${fmtNumber(dropped, 0)} отброшено: без выручки или с аномальной выручкой).` : '.'),
      r.previous
        ? `Качество (ROC-AUC на кросс-валидации): было ${fmtNumber(r.previous.cvAuc, 3)} (модель v${r.previous.version}) → ` +
          `стало ${fmtNumber(r.model.cvAuc, 3)} (модель v${r.model.version}, ${family}).`
        : `Качество (ROC-AUC на кросс-валидации): ${fmtNumber(r.model.cvAuc, 3)} (модель v${r.model.version}, ${family}).`,
      r.compared > 0
        ? `Сменили зону риска: ${fmtNumber(r.bandChanges, 0)} из ${fmtCountOf(r.compared, OF_CUSTOMERS)}, которые есть в обеих версиях.`
        : 'Сравнить зоны риска не с чем: общих клиентов с прошлой версией нет.',
      '',
      `Версия данных: ${r.datasetVersion}. Подробнее — /model`,
    ].join('\n');
  },
} as const;

// ---------------------------------------------------------------- DIGEST: the weekly at-risk digest

const calendarDay = (iso: string) => new Date(`${iso}T12:00:00Z`);
const dayRange = new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** «23–29 ноября 2026» */
export const fmtWeek = (w: { start: string; end: string }): string =>
  // ICU writes «2026 г.» with a no-break space; the year needs no «г.» in a heading.
  dayRange.formatRange(calendarDay(w.start), calendarDay(w.end)).replace(/\s+г\.(?=\s+–|$)/gu, '');

/** «23 нояб.»: a week on the trend chart, by its Monday. */
export const fmtWeekLabel = (w: { start: string }): string => dayMonth.format(calendarDay(w.start));

/** «понедельник, 30 ноября в 09:00 по Москве» */
export function fmtDigestTime(at: Date, timeZone: string): string {
  const moscow = timeZone === 'Europe/Moscow';
  const s = new Intl.DateTimeFormat('ru-RU', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    ...(moscow ? {} : { timeZoneName: 'short' as const }),
  }).format(at);
  return moscow ? `${s} по Москве` : s;
}

const customers = (n: number) => fmtCount(n, NOUNS.customer);

function digestChange(v: Pick<DigestView, 'change'>): string[] {
  if (!v.change) return ['Это первая сводка — что изменилось, покажу через неделю.'];
  const { delta, added, removed, since } = v.change;
  const vs = `в сводке за ${fmtWeek(since)}`;
  const head =
    delta > 0 ? `▲ на ${fmtNumber(delta, 0)} больше, чем ${vs}` : delta < 0 ? `▼ на ${fmtNumber(-delta, 0)} меньше, чем ${vs}` : `столько же, сколько ${vs}`;
  return [head, `🆕 новых в зоне риска: ${fmtNumber(added.length, 0)} · ✅ вышли из неё: ${fmtNumber(removed.length, 0)}`];
}

/** «🆕 Впервые в зоне высокого риска»: who is new since the last digest, and the main reason for each. */
function digestNewcomers(v: Pick<DigestView, 'change' | 'newcomers'>, units: MoneyUnits): string[] {
  if (!v.change || v.change.added.length === 0) return [];
  const more = v.change.added.length - v.newcomers.length;
  return [
    '',
    `🆕 Впервые в зоне высокого риска — ${customers(v.change.added.length)}; первые по ожидаемой потере:`,
    ...v.newcomers.map(
      (c) =>
        `• ${c.id} — риск ${fmtProbability(c.probability)}, потеря ${fmtMoney(c.priority, units.profit)}` +
        (c.driver ? `; почему: ${describeDriver(c.driver, units)}` : ''),
    ),
    ...(more > 0 ? [`…и ещё ${customers(more)} — в файле (столбец «новый в зоне риска»).`] : []),
  ];
}

export const DIGEST = {
  text: (v: Pick<DigestView, 'period' | 'model' | 'atRisk' | 'change' | 'top' | 'newcomers' | 'segments'>, units: MoneyUnits): string => {
    const family = FAMILY_LABELS[v.model.family] ?? v.model.family;
    return [
      `📬 Сводка по риску снижения покупок: ${fmtWeek(v.period)}`,
      `Модель v${v.model.version} (${family}), данные v${v.model.datasetVersion}.`,
      '',
      `🔴 В зоне высокого риска: ${customers(v.atRisk.count)}`,
      ...digestChange(v),
      `💰 Ожидаемая потеря прибыли: ${fmtMoney(v.atRisk.profitAtStake, units.profit)} в месяц (риск × прибыль, по всем в зоне риска)`,
      ...digestNewcomers(v, units),
      '',
      ...(v.top.length
        ? [
            '📞 Кому звонить первым (по ожидаемой потере):',
            ...v.top.flatMap((c, i) => [
              `${i + 1}. ${c.id}${c.isNew ? ' 🆕' : ''} — риск ${fmtProbability(c.probability)}, прибыль ${fmtMoney(c.profit, units.profit)} → потеря ${fmtMoney(c.priority, units.profit)}`,
              ...(c.driver ? [`   Почему: ${describeDriver(c.driver, units)}`] : []),
              `   Что предложить: ${OFFER_TEXT[c.offer].action}`,
            ]),
          ]
        : ['Клиентов с высоким риском сейчас нет — звонить срочно некому.']),
      '',
      'Сегменты (клиенты пересекаются):',
      ...v.segments.map((s) => `• ${SEGMENT_TEXT[s.code].title} — ${customers(s.size)}, потеря ${fmtMoney(s.profitAtStake, units.profit)}`),
      '',
      `Весь список — в файле ниже. Подробнее о клиенте: /risk ID. Отписаться: /unsubscribe`,
    ].join('\n');
  },
  csvHeader: (u: MoneyUnits) => [
    'id',
    'вероятность',
    `прибыль в месяц, ${u.profit}`,
    `ожидаемая потеря, ${u.profit}`,
    'новый в зоне риска',
    'сегменты',
    'что предложить',
  ],
  yes: 'да',
  no: 'нет',
  csvCaption: (count: number) =>
    `Все в зоне высокого риска: ${customers(count)}, по убыванию ожидаемой потери прибыли.`,
  subscribed: (next: string | null) =>
    [
      '✅ Вы подписаны на еженедельную сводку: кто из клиентов в зоне риска, что изменилось за неделю и кому звонить первым.',
      next ? `Следующая сводка — ${next}.` : '',
      'Отписаться — /unsubscribe',
    ].filter(Boolean).join('\n'),
  alreadySubscribed: (next: string | null) =>
    `Вы уже подписаны на еженедельную сводку.${next ? ` Следующая — ${next}.` : ''} Отписаться — /unsubscribe`,
  unsubscribed: 'Вы отписались от еженедельной сводки. Вернуться — /subscribe',
  notSubscribed: 'Вы не подписаны на еженедельную сводку. Подписаться — /subscribe',
  telegramOnly: 'Сводка приходит в Telegram: отправьте /subscribe в чате с ботом. Здесь её можно посмотреть командой `retention digest --dry-run`.',
} as const;

// ---------------------------------------------------------------- ALERT: after an upload and retrain

export const ALERT = {
  entrants: (e: Entrants, units: MoneyUnits) =>
    [
      `⚠️ После обновления данных ${fmtCount(e.count, NOUNS.customer)} с высокой прибылью ${plural(e.count, ['перешёл', 'перешли', 'перешли'])} в зону высокого риска.`,
      'Первые по ожидаемой потере:',
      ...e.top.map(
        (c, i) =>
          `${i + 1}. ${c.id} — было ${fmtProbability(c.previous)}, стало ${fmtProbability(c.probability)}; потеря ${fmtMoney(c.expectedLoss, units.profit)} в месяц`,
      ),
      'Подробнее о клиенте: /risk ID',
    ].join('\n'),
  listButton: '📋 Все прибыльные под угрозой',
} as const;

// ---------------------------------------------------------------- CLI: `retention` human output (--json stays English)

export const CLI = {
  ingested: (d: { version: number; customersIn: number; customersKept: number; positives: number }) =>
    `Данные v${d.version}: в выгрузке ${fmtCount(d.customersIn, NOUNS.customer)}, в анализе ${fmtNumber(d.customersKept, 0)}, ` +
    `из них с активностью «Снизилась» ${fmtNumber(d.positives, 0)}.`,
  dropped: (id: number, reason: DroppedCustomer['reason']) => `  исключён ${id}: ${exclusionReason(reason)}`,
  trained: (m: { version: number; family: string; cvAuc: number; cvAucStd: number; datasetVersion: number; scoredCustomers: number }) =>
    `Модель v${m.version}: ${FAMILY_LABELS[m.family] ?? m.family}, ROC-AUC на кросс-валидации ${fmtNumber(m.cvAuc, 3)} ± ${fmtNumber(m.cvAucStd, 3)}; ` +
    `данные v${m.datasetVersion}, ${fmtCount(m.scoredCustomers, NOUNS.customer)}.`,
  family: (f: { family: string; cvAucMean: number; cvAucStd: number; candidates?: number; searchMs?: number }) =>
    `  ${(FAMILY_LABELS[f.family] ?? f.family).padEnd(26)} ${fmtNumber(f.cvAucMean, 4)} ± ${fmtNumber(f.cvAucStd, 4)}` +
    (f.candidates !== undefined && f.searchMs !== undefined
      ? `  (${fmtCount(f.candidates, NOUNS.variant)}, ${fmtNumber(Math.round(f.searchMs), 0)} мс)`
      : ''),
  chosen: (family: string) => `Выбрана: ${FAMILY_LABELS[family] ?? family}`,
  scored: (n: number, out: string) => `Оценено ${fmtCount(n, NOUNS.customer)} → ${out}`,
  chartSaved: (path: string) => `График сохранён: ${path}`,
  modelRow: (m: { active: boolean; version: number; family: string; cvAuc: number; datasetVersion: number; createdAt: string }, timeZone: string) =>
    `${m.active ? '*' : ' '} v${m.version}  ${(FAMILY_LABELS[m.family] ?? m.family).padEnd(26)} ROC-AUC ${fmtNumber(m.cvAuc, 4)}  данные v${m.datasetVersion}  ${fmtDateTime(m.createdAt, timeZone)}`,
  modelActivated: (m: { version: number; family: string; cvAuc: number }) =>
    `Активная модель: v${m.version} (${FAMILY_LABELS[m.family] ?? m.family}, ROC-AUC ${fmtNumber(m.cvAuc, 3)})`,
  synthesized: (n: number, out: string, ms: number) => `${fmtCount(n, NOUNS.customer)} → ${out} за ${fmtNumber(ms, 0)} мс`,
  notFound: (what: 'customer' | 'segment' | 'model' | 'dataset', key: string, near: readonly string[]) =>
    what === 'customer'
      ? CHAT.customerNotFound(key, [...near])
      : what === 'segment'
        ? `Не знаю сегмента «${key}». Есть: profitable, promo, cart, surfers, gadgets, at-risk (или по-русски: прибыльные, акции, корзины…).`
        : what === 'model'
          ? `Модель v${key} не найдена. Список — retention model list`
          : 'Данных ещё нет: сначала retention ingest ПАПКА',
  noModel: 'Модель ещё не обучена: retention ingest ПАПКА, затем retention train',
  waitingForRetrain: 'Идёт другое обучение или загрузка данных (бот или другая команда) — жду, пока закончится…',
  retrainBusy: (minutes: number) =>
    `Другое обучение или загрузка данных идёт дольше ${fmtCountOf(minutes, ['минуты', 'минут'])}: не дождался, ничего не изменено. Повторите позже.`,
  error: (message: string) => `Ошибка: ${message}`,
  digestSent: (r: { period: string; outcome: string; delivered: number }) =>
    `Сводка ${r.period}: ${DIGEST_OUTCOMES[r.outcome] ?? r.outcome}; отправлено сейчас в ${fmtCount(r.delivered, NOUNS.chat)}`,
  digestCounts: (c: { sent: number; blocked: number; failed: number; skipped: number; pending: number }) =>
    `За эту неделю: отправлено ${c.sent}, заблокировали бота ${c.blocked}, не доставлено ${c.failed}, пропущено ${c.skipped}, в очереди ${c.pending}`,
  digestBusy: 'Эту сводку сейчас отправляет другой процесс; повторите через несколько минут.',
  digestLost: (n: number) =>
    `Могли не дойти: ${fmtCount(n, NOUNS.part)} сводки (отправлявший процесс остановился посреди отправки). Повторно не отправлялось, чтобы ничего не пришло дважды.`,
  digestOptions: {
    oneOf: 'выберите одно из двух: --dry-run или --send',
    forceWithSend: '--force бывает только вместе с --send',
    outWithDryRun: '--out бывает только вместе с --dry-run',
  },
  unknownChart: (kind: string, kinds: readonly string[]) => `нет графика «${kind}»; есть: ${kinds.join(', ')}`,
  noCampaignChart: 'нет недели с выводом: составьте план, загрузите данные следующего периода; в каждой группе нужно хотя бы 30 клиентов',
  contactsImported: (stored: number, ignored: number) =>
    `Контакты сохранены: ${fmtCount(stored, NOUNS.customer)}` + (ignored > 0 ? `; пропущено строк с неизвестными номерами: ${fmtNumber(ignored, 0)}.` : '.'),
  synthesizedNext: (n: number, out: string, ms: number) => `Следующий период: ${fmtCount(n, NOUNS.customer)} → ${out} за ${fmtNumber(ms, 0)} мс`,
  synthExpected: (e: { treatedDecline: number; controlDecline: number; uplift: number }) =>
    `Ожидаемая доля снизивших покупки: в плане ${fmtPercent(e.treatedDecline)}, в контроле ${fmtPercent(e.controlDecline)}, эффект ${fmtNumber(e.uplift * 100, 1)} п.п.`,
  synthOptions: {
    fromPlanNeedNext: '--from и --plan бывают только вместе с --next-period',
    nextNeedsFromPlan: '--next-period нужны --from ПАПКА и --plan plan.json',
  },
} as const;

const DIGEST_OUTCOMES: Record<string, string> = {
  done: 'отправлена',
  'already-done': 'уже была отправлена на этой неделе',
  busy: 'её сейчас отправляет другой процесс',
  interrupted: 'отправка прервана, продолжится при следующем запуске',
};
// ---------------------------------------------------------------- CAMPAIGN: weekly call list, outreach, results, contacts, Excel export
// (Imports are hoisted; kept here so this block stays one piece.)
import { MIN_GROUP, type ArmComparison, type CampaignResults, type PlanEntry, type PlanTableLabels, type WeekPlan, type WeekProgress, type WeekResult } from './core/campaign/index.ts';
import { periodFromKey } from './core/digest/period.ts';
import type { CampaignOffer, CustomerContact, OutreachStatus } from './core/ports.ts';

const cmpCustomers = (n: number) => fmtCount(n, NOUNS.customer);
/** «23–29 ноября 2026» for an ISO week key. */
const cmpWeek = (week: string) => fmtWeek(periodFromKey(week));
/** Percentage points, unsigned: 0.231 → «23 п.п.». */
const cmpPoints = (x: number) => `${fmtNumber(Math.abs(x) * 100, 0)} п.п.`;
/** A signed bound of an interval in points: «−5», «+36». */
const cmpBound = (x: number) => {
  const v = Math.round(x * 100);
  return v > 0 ? `+${v}` : v < 0 ? `−${-v}` : '0';
};
const cmpStatusText: Record<OutreachStatus, string> = { offered: '✅ предложил', no_answer: '📵 не дозвонился', declined: '❌ отказ' };
const cmpContact = (c: CustomerContact) => [c.name, c.phone, c.email].filter(Boolean).join(', ');

/** Why this customer gets this offer: the driver it answers, or the value the offer protects. */
function cmpWhy(e: Pick<PlanEntry, 'driver' | 'offer'>, units: MoneyUnits): string {
  return e.driver ? describeDriver(e.driver, units) : OFFER_TEXT[e.offer].reason;
}

function cmpEntry(e: PlanEntry, n: number, timeZone: string, units: MoneyUnits): string[] {
  return [
    `${n}. ${e.id}${e.contact ? ` — ${cmpContact(e.contact)}` : ''}`,
    `   риск ${fmtProbability(e.probability)} · прибыль ${fmtMoney(e.profit, units.profit)} · ожидаемая потеря ${fmtMoney(e.expectedLoss, units.profit)}`,
    `   Почему: ${cmpWhy(e, units)}`,
    `   Предложить: ${OFFER_TEXT[e.offer].action}`,
    `   ${e.status ? `${cmpStatusText[e.status]} · ${fmtDateTime(e.contactedAt!, timeZone)}` : CAMPAIGN_NOT_CALLED}`,
  ];
}

const CAMPAIGN_NOT_CALLED = '⏳ ещё не звонили';

function cmpProgress(p: WeekProgress): string {
  const head = `Сделано ${fmtNumber(p.done, 0)} из ${fmtNumber(p.planned, 0)}`;
  if (p.done === 0) return `${head} — начните с первого: его уход обойдётся дороже всех.`;
  return `${head}: ✅ предложили ${p.offered} · 📵 не дозвонились ${p.noAnswer} · ❌ отказ ${p.declined}`;
}

const cmpOfferTitle = (offer: ArmComparison['offer']) => (offer === 'all' ? 'Все' : SEGMENT_TEXT[offer].title);

/** «на 23 п.п. реже (95% интервал: от 9 до 36 п.п.)»: how much less often the list declined than the control. */
function cmpEffect(r: { uplift: number; ciLow: number; ciHigh: number }): string {
  const direction = r.uplift > 0 ? `на ${cmpPoints(r.uplift)} реже` : r.uplift < 0 ? `на ${cmpPoints(r.uplift)} чаще` : 'так же часто';
  const sameSign = (r.ciLow > 0 && r.ciHigh > 0) || (r.ciLow < 0 && r.ciHigh < 0);
  const interval = sameSign
    ? `от ${fmtNumber(Math.round(Math.min(Math.abs(r.ciLow), Math.abs(r.ciHigh)) * 100), 0)} до ${fmtNumber(Math.round(Math.max(Math.abs(r.ciLow), Math.abs(r.ciHigh)) * 100), 0)} п.п.`
    : `от ${cmpBound(r.ciLow)} до ${cmpBound(r.ciHigh)} п.п., ноль внутри`;
  return `${direction} (95% интервал: ${interval})`;
}

type Measured = ArmComparison & { treatedDecline: number; controlDecline: number; uplift: number; ciLow: number; ciHigh: number };

/** A row that may be worded with numbers: both arms at least MIN_GROUP, every figure present. */
const cmpMeasured = (r: ArmComparison): r is Measured =>
  r.conclusive && r.treatedDecline !== null && r.controlDecline !== null && r.uplift !== null && r.ciLow !== null && r.ciHigh !== null;

/** One comparison row, never a bare number below MIN_GROUP per arm. */
function cmpComparison(r: ArmComparison, units: MoneyUnits): string[] {
  const sizes = `в плане ${cmpCustomers(r.treated)}, в контроле ${cmpCustomers(r.control)}`;
  if (!cmpMeasured(r)) return [`${capitalize(sizes)}.`, `⏳ Вывод делать рано: нужно хотя бы ${MIN_GROUP} клиентов в каждой группе.`];
  const verdict = r.ciLow > 0 ? 'звонки помогают' : r.ciHigh < 0 ? 'после звонков снижают покупки чаще — стоит пересмотреть предложения' : 'разница может быть случайной';
  return [
    `Снизили покупки: ${fmtPercent(r.treatedDecline)} из плана против ${fmtPercent(r.controlDecline)} в контроле (${sizes}).`,
    `Из плана снижают покупки ${cmpEffect(r)} — ${verdict}.`,
    ...(r.revenueDiff === null
      ? []
      : [`Выручка за месяц к прошлому периоду: у клиентов из плана в среднем на ${fmtMoney(Math.abs(r.revenueDiff), units.money)} ${r.revenueDiff >= 0 ? 'лучше' : 'хуже'}, чем в контроле.`]),
  ];
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function cmpOfferLine(r: ArmComparison): string {
  const title = cmpOfferTitle(r.offer);
  if (!cmpMeasured(r)) return `• ${title}: в плане ${r.treated}, в контроле ${r.control} — пока мало для вывода`;
  return `• ${title}: ${fmtPercent(r.treatedDecline)} против ${fmtPercent(r.controlDecline)} — ${cmpEffect(r)}`;
}

function cmpReached(r: ArmComparison): string {
  const head = 'Только те, кому сделали предложение (вспомогательно: кто берёт трубку — не случайность)';
  if (!cmpMeasured(r)) return `${head}: ${r.treated} против ${r.control} в контроле — пока мало для вывода.`;
  return `${head}: ${fmtPercent(r.treatedDecline)} против ${fmtPercent(r.controlDecline)} — ${cmpEffect(r)}.`;
}

export const CAMPAIGN = {
  commands: {
    plan: 'план звонков на неделю',
    contact: 'отметить звонок: /contact ID предложил, не_дозвонился или отказ',
    campaign: 'результаты кампании: план против контроля',
    export: 'выгрузить в Excel сегмент или план недели',
  },
  /** What `/contact` takes (the console shows buttons as these commands). */
  statusWord: { offered: 'предложил', no_answer: 'не_дозвонился', declined: 'отказ' } as Record<OutreachStatus, string>,
  /** Words `/contact` understands, lower case, spaces as «_». */
  statusAliases: {
    offered: ['offered', 'предложил', 'предложила', 'предложили', 'да'],
    no_answer: ['no_answer', 'не_дозвонился', 'не_дозвонилась', 'недозвон', 'нет_ответа', 'не_ответил', 'не_ответила'],
    declined: ['declined', 'отказ', 'отказался', 'отказалась', 'нет'],
  } as Record<OutreachStatus, string[]>,
  statusButton: { offered: 'Предложил', no_answer: 'Не дозвонился', declined: 'Отказ' } as Record<OutreachStatus, string>,
  /** A status button of the n-th customer of the list; the recorded one is ticked. */
  listButton: (n: number, status: OutreachStatus, chosen: boolean) => `${chosen ? '✓ ' : ''}${n} · ${CAMPAIGN.statusButton[status]}`,
  cardButton: (status: OutreachStatus, chosen: boolean) => `${chosen ? '✓ ' : ''}${CAMPAIGN.statusButton[status]}`,
  crmButton: '🔗 Открыть в CRM',
  crmListButton: (n: number) => `🔗 ${n}`,
  back: '◀ Назад',
  next: 'Дальше ▶',
  excelButton: '📄 В Excel',
  consoleEdited: '(сообщение обновлено)',

  planPage: (v: { plan: WeekPlan; entries: readonly PlanEntry[]; first: number; page: number; pages: number; timeZone: string; crm: boolean; units: MoneyUnits }): string => {
    const { plan } = v;
    const head = [`📋 План звонков на неделю ${cmpWeek(plan.week)}`];
    if (plan.entries.length === 0) {
      return [
        ...head,
        '',
        plan.eligible === 0
          ? `Звонить на этой неделе некому: клиентов с высоким риском нет, или всем уже звонили за последние ${fmtCount(plan.cooldownDays, NOUNS.day)}.`
          : 'Звонить на этой неделе некому.',
      ].join('\n');
    }
    const last = v.first + v.entries.length - 1;
    return [
      ...head,
      cmpProgress(plan.progress),
      '',
      `Клиенты ${v.first}–${last} из ${plan.entries.length}, по ожидаемой потере прибыли (риск × прибыль):`,
      '',
      ...v.entries.flatMap((e, i) => [...cmpEntry(e, v.first + i, v.timeZone, v.units), '']),
      `Отметьте результат кнопкой с номером клиента.${v.crm ? ' 🔗 — карточка в CRM.' : ''}${v.pages > 1 ? ` Страница ${v.page} из ${v.pages}.` : ''}`,
      ...(v.page === 1 && plan.heldOut > 0
        ? [
            `Ещё ${cmpCustomers(plan.heldOut)} — контрольная группа: им на этой неделе не звоним, по ним меряем эффект звонков (/campaign).`,
          ]
        : []),
    ].join('\n');
  },

  /** The whole list at once, for `retention plan`. */
  planList: (plan: WeekPlan, timeZone: string, units: MoneyUnits): string =>
    [
      `📋 План звонков на неделю ${cmpWeek(plan.week)}`,
      ...(plan.entries.length ? [cmpProgress(plan.progress), ''] : ['Звонить на этой неделе некому.']),
      ...plan.entries.flatMap((e, i) => [...cmpEntry(e, i + 1, timeZone, units), '']),
      ...(plan.heldOut > 0 ? [`Контрольная группа: ${cmpCustomers(plan.heldOut)} (им не звоним).`] : []),
    ].join('\n'),

  /** Lines a /risk card gets about this week's list. */
  riskCard: {
    contact: (c: CustomerContact) => `👤 ${cmpContact(c)}`,
    planned: (e: PlanEntry, n: number, total: number, timeZone: string) =>
      [
        `📋 В плане звонков этой недели: №${n} из ${total} (что предложить — выше)`,
        `Статус: ${e.status ? `${cmpStatusText[e.status]} · ${fmtDateTime(e.contactedAt!, timeZone)}` : CAMPAIGN_NOT_CALLED}`,
      ].join('\n'),
    heldOut: '📋 На этой неделе клиенту не звоним: он в контрольной группе — по ней проверяем, работают ли звонки.',
    notPlanned: '📋 В план звонков этой недели не вошёл. План — /plan',
  },

  recorded: (o: { customerId: number; status: OutreachStatus; replaced: boolean; progress: WeekProgress }) =>
    `Записал: клиент ${o.customerId} — ${cmpStatusText[o.status]}${o.replaced ? ' (прежняя отметка заменена)' : ''}. ` +
    `Сделано ${o.progress.done} из ${o.progress.planned}. План — /plan`,
  refused: {
    no_plan: (week: string) => `Плана звонков на неделю ${cmpWeek(week)} нет — отметку не записал. План этой недели — /plan`,
    not_in_plan: (week: string, id: number) =>
      `Клиента ${id} нет в плане звонков на неделю ${cmpWeek(week)} — отметку не записал. Отмечать можно клиентов из списка: /plan`,
    held_out: (week: string, id: number) =>
      `Клиент ${id} на неделе ${cmpWeek(week)} в контрольной группе: ему не звоним, чтобы измерить эффект звонков. Отметку не записал.`,
  },
  contactUsage: (exampleId: number | null) =>
    `Напишите так: /contact ID статус, где статус — предложил, не_дозвонился или отказ. Например: /contact ${exampleId ?? 'ID'} предложил`,
  noSuchPage: (pages: number) => `В плане ${fmtCount(pages, NOUNS.page)}. Первая — /plan`,

  results: (r: CampaignResults, opts: { weeks: number; units: MoneyUnits }): string => {
    if (r.campaigns.length === 0 && r.pending.length === 0) {
      return [
        '📊 Кампаний ещё не было.',
        'Составьте план звонков — /plan. Когда загрузите данные следующего периода (/upload), здесь появится результат: сколько клиентов из плана снизили покупки по сравнению с контрольной группой.',
      ].join('\n');
    }
    const shown = r.campaigns.slice(-opts.weeks).reverse();
    return [
      '📊 Результаты кампании',
      'Клиентов из плана звонков сравниваем с контрольной группой: им не звонили, а выбраны они случайно из того же списка, поэтому разница — это эффект звонков. Считаем всех из плана, дозвонились или нет.',
      ...shown.flatMap((w) => [
        '',
        `Неделя ${cmpWeek(w.week)} (итог по данным v${w.outcomeVersion})`,
        ...cmpComparison(w.overall, opts.units),
        ...(w.offers.length > 1 || (w.offers.length === 1 && w.overall.conclusive) ? ['По предложениям:', ...w.offers.map(cmpOfferLine)] : []),
        cmpReached(w.reached.overall),
        ...(w.unmeasured > 0 ? [`Без итога: ${cmpCustomers(w.unmeasured)} (нет в новых данных).`] : []),
      ]),
      ...(r.campaigns.length > shown.length ? ['', `Более ранние недели: ${r.campaigns.length - shown.length} — retention campaign`] : []),
      ...(r.pending.length
        ? ['', `⏳ Ждут данных следующего периода: ${r.pending.map((w) => `неделя ${cmpWeek(w)}`).join(', ')}. Итог появится после загрузки (/upload).`]
        : []),
    ].join('\n');
  },

  /** The digest's line about the latest measured week. */
  digestLine: (w: WeekResult): string => {
    const r = w.overall;
    const head = `📊 Кампания, неделя ${cmpWeek(w.week)}:`;
    if (!cmpMeasured(r)) return `${head} вывод делать рано — в плане ${cmpCustomers(r.treated)}, в контроле ${cmpCustomers(r.control)}, а нужно хотя бы по ${MIN_GROUP}. Подробнее — /campaign`;
    return `${head} из плана снизили покупки ${fmtPercent(r.treatedDecline)} против ${fmtPercent(r.controlDecline)} в контроле — ${cmpEffect(r)}. Подробнее — /campaign`;
  },
  digestContacts: (rows: readonly { id: number; contact: CustomerContact }[]) =>
    ['📇 Контакты первых в списке:', ...rows.map((r) => `${r.id} — ${cmpContact(r.contact)}`)].join('\n'),
  digestContactsHeader: 'контакты',

  chart: {
    title: 'Доля снизивших покупки: из плана и из контроля',
    subtitle: (week: string) => `Неделя ${cmpWeek(week)} · черта — 95% интервал`,
    treated: 'из плана (звонили)',
    control: 'контроль (не звонили)',
    axis: 'снизили покупки, %',
    few: 'мало данных',
    offer: cmpOfferTitle,
  },

  /** Column headers and cell words of the Excel and CSV exports. */
  table: (units: MoneyUnits): PlanTableLabels => ({
    headers: {
      id: 'id',
      contacts: 'контакты',
      probability: 'вероятность снижения',
      band: 'риск',
      driver: 'главная причина',
      segment: 'сегменты',
      offer: 'что предложить',
      profit: `прибыль, ${units.profit}`,
      expectedLoss: `ожидаемая потеря, ${units.profit}`,
      status: 'статус звонка',
      contactedAt: 'когда звонили',
    },
    band: (b: Band) => BAND_LABELS[b],
    driver: (f: FeatureName) => FEATURE_LABELS[f],
    segment: (s: SegmentCode) => SEGMENT_TEXT[s].title,
    offer: (o: CampaignOffer) => OFFER_TEXT[o].action,
    status: (s: OutreachStatus | null) => (s === null ? 'не звонили' : { offered: 'предложил', no_answer: 'не дозвонился', declined: 'отказ' }[s]),
  }),
  exportUi: {
    choose: 'Что выгрузить в Excel?',
    button: '📄 Выгрузить в Excel',
    planButton: '📋 План звонков недели',
    planSheet: (week: string) => `План ${week}`,
    planCaption: (week: string, n: number) => `План звонков на неделю ${cmpWeek(week)}: ${cmpCustomers(n)}, по ожидаемой потере прибыли.`,
    segmentCaption: (title: string, n: number) => `${title}: ${cmpCustomers(n)}, по ожидаемой потере прибыли.`,
  },

  contacts: {
    uploadHint: 'Можно добавить пятый файл contacts.csv (id, имя, телефон, почта) — имена и телефоны появятся в /risk, /plan, сводке и выгрузках.',
    imported: (r: { stored: number; ignored: number; total: number; warnings: readonly { file: string; line: number }[] }) =>
      [
        `📇 Контакты сохранены: ${cmpCustomers(r.stored)}; всего клиентов с контактами — ${fmtNumber(r.total, 0)}.`,
        ...(r.ignored > 0
          ? [
              `Пропущено строк: ${fmtNumber(r.ignored, 0)} — таких клиентов нет в данных (${r.warnings
                .slice(0, 3)
                .map((w) => `${w.file}:${w.line}`)
                .join(', ')}${r.ignored > 3 ? ', …' : ''}).`,
            ]
          : []),
      ].join('\n'),
  },
} as const;
