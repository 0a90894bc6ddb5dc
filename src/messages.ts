/** Every user-facing Russian string lives here. Code, identifiers and logs stay English. */
import type { RiskAnswer } from './core/assistant.ts';
import type { DigestView } from './core/digest/view.ts';
import type { FeatureName } from './core/domain.ts';
import type { Band, Driver } from './core/risk.ts';
import type { OfferCode, SegmentCode, SegmentSummary } from './core/segments.ts';

const ru = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2 });
const ru0 = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 });

// Building an Intl.NumberFormat costs ~0.1 ms: one per precision, not one per number (a /risk formats ~20).
const formats = new Map<number, Intl.NumberFormat>([[0, ru0], [2, ru]]);

/** Russian number: decimal comma, thin-space thousands. */
export const fmtNumber = (v: number, digits = 2): string => {
  let format = formats.get(digits);
  if (!format) formats.set(digits, (format = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: digits })));
  return format.format(v);
};
export const fmtPercent = (p: number): string => `${Math.round(p * 100)}%`;
/** A model is never certain: the extremes read «более 99%» / «менее 1%», not 100% / 0%. */
export const fmtProbability = (p: number): string =>
  p >= 0.995 ? 'более 99%' : p < 0.005 ? 'менее 1%' : fmtPercent(p);
/** Probability points, signed: +12 п.п. */
export const fmtPoints = (c: number): string => {
  const v = Math.round(c * 1000) / 10;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${ru.format(Math.abs(v))} п.п.`;
};

/** Business names of model features, as a manager would say them. */
export const FEATURE_LABELS: Record<FeatureName, string> = {
  serviceType: 'тип сервиса',
  allowNotify: 'согласие на рассылки',
  marketActive6m: 'маркетинг за 6 месяцев',
  marketActiveCurrent: 'маркетинг в текущем месяце',
  tenureDays: 'дней с регистрации',
  promoShare: 'доля акционных покупок',
  popularCategory: 'любимая категория',
  categoriesPerVisit: 'категорий за визит',
  unpaidItems: 'неоплаченных товаров в корзине',
  serviceErrors: 'сбоев сервиса',
  pagesPerVisit: 'страниц за визит',
  revenuePrePrev: 'выручка 2 месяца назад',
  revenuePrev: 'выручка в прошлом месяце',
  revenueCurrent: 'выручка в текущем месяце',
  minutesPrev: 'минут на сайте в прошлом месяце',
  minutesCurrent: 'минут на сайте в текущем месяце',
};

export const CHART_TEXT = {
  drivers: {
    title: (id: number) => `Что влияет на риск клиента ${id}`,
    axis: 'вклад в риск, п.п. (вправо — риск выше)',
    up: 'повышает риск',
    down: 'снижает риск',
  },
  importance: {
    title: 'Что сильнее всего влияет на риск снижения покупок',
    axis: 'важность (падение ROC-AUC без признака)',
  },
  segments: {
    title: 'Сегменты: размер и прибыль под угрозой',
    sizeAxis: 'клиентов',
    profitAxis: 'прибыль под угрозой',
    size: 'клиентов в сегменте',
    profit: 'прибыль под угрозой',
  },
  distribution: {
    title: 'Распределение клиентов по вероятности снижения',
    xAxis: 'вероятность снижения активности, %',
    yAxis: 'клиентов',
    threshold: (t: number) => `порог высокого риска ${Math.round(t * 100)}%`,
    below: (n: string) => `ниже порога: ${n}`,
    above: (n: string) => `высокий риск: ${n}`,
  },
  trend: {
    title: 'Клиенты с высоким риском по неделям',
    xAxis: 'неделя',
    yAxis: 'клиентов с высоким риском',
  },
  empty: 'Нет данных для графика',
} as const;

/** How a manager would name a low or a high value of a numeric feature. */
const FEATURE_PHRASES: Partial<Record<FeatureName, [low: string, high: string]>> = {
  marketActive6m: ['мало маркетинговых касаний за 6 месяцев', 'много маркетинговых касаний за 6 месяцев'],
  marketActiveCurrent: ['мало маркетинговых касаний в этом месяце', 'много маркетинговых касаний в этом месяце'],
  tenureDays: ['недавно с нами', 'давно с нами'],
  promoShare: ['редко покупает по акциям', 'часто покупает по акциям'],
  categoriesPerVisit: ['смотрит мало категорий за визит', 'смотрит много категорий за визит'],
  unpaidItems: ['мало неоплаченных товаров в корзине', 'много неоплаченных товаров в корзине'],
  serviceErrors: ['мало сбоев сервиса', 'много сбоев сервиса'],
  pagesPerVisit: ['мало страниц за визит', 'много страниц за визит'],
  revenuePrePrev: ['низкая выручка 2 месяца назад', 'высокая выручка 2 месяца назад'],
  revenuePrev: ['низкая выручка в прошлом месяце', 'высокая выручка в прошлом месяце'],
  revenueCurrent: ['низкая выручка в этом месяце', 'высокая выручка в этом месяце'],
  minutesPrev: ['мало времени на сайте в прошлом месяце', 'много времени на сайте в прошлом месяце'],
  minutesCurrent: ['мало времени на сайте в этом месяце', 'много времени на сайте в этом месяце'],
};

function fmtValue(feature: FeatureName, v: number | string): string {
  if (typeof v === 'string') return v;
  if (feature === 'promoShare') return fmtPercent(v);
  return fmtNumber(v, Number.isInteger(v) ? 0 : 1);
}

/** «мало страниц за визит: 2 против 5 в среднем» */
export function describeDriver(d: Driver): string {
  const label = FEATURE_LABELS[d.feature];
  if (typeof d.value === 'string' || typeof d.typical !== 'number') {
    const usual = d.typical !== undefined && d.typical !== d.value ? ` (чаще всего — ${d.typical})` : '';
    return `${label}: ${d.value}${usual}`;
  }
  const phrases = FEATURE_PHRASES[d.feature];
  const head = phrases ? phrases[d.value < d.typical ? 0 : 1] : label;
  return `${head}: ${fmtValue(d.feature, d.value)} против ${fmtValue(d.feature, d.typical)} в среднем`;
}

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
    about: 'любимая категория — техника и электроника',
  },
  'at-risk': {
    title: 'Все в зоне риска',
    aliases: ['риск', 'в_зоне_риска', 'все', 'at_risk', 'atrisk'],
    about: 'все клиенты с высоким риском, по ожидаемой потере прибыли',
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

export function riskText(r: RiskAnswer): string {
  const lines = [
    `${BAND_ICONS[r.band]} Клиент ${r.customer.id}`,
    `Вероятность снижения покупок: ${fmtProbability(r.probability)} — ${BAND_LABELS[r.band]} риск`,
    '',
    'Главные причины:',
    ...r.drivers.slice(0, 3).map((d) => `${d.contribution >= 0 ? '▲' : '▼'} ${describeDriver(d)} (${fmtPoints(d.contribution)})`),
    '',
    `Сегменты: ${r.segments.length ? r.segments.map((s) => SEGMENT_TEXT[s].title).join(', ') : 'нет'}`,
    `Что сделать: ${offerLine(r.offer)}.`,
    '',
    `Модель v${r.modelVersion}. ▲ повышает риск, ▼ снижает.`,
  ];
  return lines.join('\n');
}

/** Examples name a customer of the served data set, so trying one always works. */
const riskExample = (id: number | null): string => (id === null ? '/risk ID' : `/risk ${id}`);
const forExample = (id: number | null): string => (id === null ? '.' : `, например ${id}.`);

export const CHAT = {
  start: (exampleId: number | null) => [
    'Здравствуйте! Я помощник менеджера по удержанию клиентов магазина «В один клик».',
    'Я подсказываю, кто из постоянных клиентов скоро начнёт покупать меньше, почему, и что им предложить.',
    '',
    'Попробуйте:',
    `${riskExample(exampleId)} — риск и причины для клиента`,
    '/segment — сегменты клиентов с предложениями',
    '/top_features — что сильнее всего влияет на риск',
    '',
    'Все команды — /help',
  ].join('\n'),
  help: (commands: { command: string; description: string }[]) =>
    ['Команды:', ...commands.map((c) => `/${c.command} — ${c.description}`)].join('\n'),
  askRiskId: (exampleId: number | null) => `Пришлите номер клиента (id)${forExample(exampleId)}`,
  badRiskId: (text: string, exampleId: number | null) =>
    `«${text.slice(0, 40)}» не похоже на номер клиента. Пришлите число${forExample(exampleId)}`,
  customerNotFound: (id: string, near: string[]) =>
    `Клиент не найден: ${id}.` + (near.length ? ` Ближайшие известные номера: ${near.join(', ')}.` : ''),
  noModel: 'Модель ещё не обучена: загрузите данные (/upload) — и я отвечу.',
  unknownCommand: 'Не знаю такой команды. Список команд — /help',
  notACommand: (exampleId: number | null) => `Я понимаю команды. Например: ${riskExample(exampleId)}. Все команды — /help`,
  somethingWrong: 'Что-то пошло не так. Попробуйте ещё раз чуть позже.',
  accessDenied: 'Извините, этот бот доступен только сотрудникам отдела удержания. Обратитесь к администратору.',
  adminOnly: 'Эта команда доступна только администраторам.',
  rateLimited: 'Слишком много запросов подряд. Подождите немного и повторите.',
  photoSaved: (path: string) => `[график сохранён: ${path}]`,
  documentSaved: (path: string) => `[файл сохранён: ${path}]`,
  buttonHint: (text: string, command: string) => `  [${text}] → ${command}`,
} as const;

export const COMMAND_DESCRIPTIONS: Record<string, string> = {
  start: 'начать',
  help: 'список команд',
  risk: 'риск клиента: /risk ID',
  segment: 'сегменты и предложения',
  top_features: 'что влияет на риск',
  model: 'текущая модель и её качество',
  export: 'выгрузить сегмент в CSV',
  subscribe: 'еженедельная сводка',
  unsubscribe: 'отписаться от сводки',
  upload: 'как загрузить новые данные',
};

export const featureLabel = (feature: string): string => FEATURE_LABELS[feature as FeatureName] ?? feature;

export const SEGMENT_UI = {
  choose: 'Выберите сегмент:',
  chooseExport: 'Какой сегмент выгрузить в CSV?',
  unknown: (name: string) => `Не знаю сегмента «${name.slice(0, 40)}». Выберите из списка:`,
  exportButton: '📄 Выгрузить CSV',
  exportCaption: (title: string, size: number) => `${title}: ${size} клиентов, по убыванию приоритета`,
};

export const EXPORT_HEADER = ['id', 'вероятность', 'риск', 'прибыль', 'приоритет', 'любимая категория'];

export function segmentText(s: SegmentSummary): string {
  const t = SEGMENT_TEXT[s.code];
  const top = s.members.slice(0, 5);
  return [
    `🎯 ${t.title} — ${t.about}`,
    `Клиентов: ${fmtNumber(s.size, 0)} (${fmtNumber(s.share * 100, 1)}% от всех)`,
    `Средний риск: ${s.size ? fmtProbability(s.meanRisk) : '—'}`,
    `Прибыль под угрозой (вероятность × прибыль): ${fmtNumber(s.profitAtStake, 1)}`,
    '',
    top.length ? 'Кому звонить первым:' : 'В сегменте сейчас никого нет.',
    ...top.map(
      (m, i) =>
        `${i + 1}. ${m.customer.id} — риск ${fmtProbability(m.probability)}, прибыль ${fmtNumber(m.customer.profit, 2)}, приоритет ${fmtNumber(m.priority, 2)}`,
    ),
    '',
    `Что предложить: ${offerLine(s.code)}.`,
    `Подробнее о клиенте: /risk ID. Весь список: /export ${s.code}`,
  ].join('\n');
}

export function topFeaturesText(top: { feature: string; importance: number }[]): string {
  return [
    'Что сильнее всего влияет на риск снижения покупок:',
    ...top.slice(0, 10).map((f, i) => `${i + 1}. ${featureLabel(f.feature)} — ${fmtNumber(f.importance, 3)}`),
    '',
    'Важность — насколько падает качество модели (ROC-AUC), если признак перемешать.',
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
  return [
    `Модель v${m.version}: ${FAMILY_LABELS[m.family] ?? m.family}`,
    `Качество (ROC-AUC на кросс-валидации): ${fmtNumber(m.cvAuc, 3)} ± ${fmtNumber(m.cvAucStd, 3)}`,
    `Данные: версия ${m.datasetVersion}` +
      (info.dataset ? `, ${fmtNumber(info.dataset.customersKept, 0)} клиентов из ${fmtNumber(info.dataset.customersIn, 0)}` : ''),
    `Обучена: ${fmtDateTime(m.createdAt, timeZone)}`,
    `Оценено клиентов: ${fmtNumber(m.scoredCustomers, 0)}`,
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
  moreProblems: (n: number) => `и ещё ${n} ошибок в этом файле (показаны первые)`,
} as const;

/** 1 файл, 2 файла, 5 файлов. */
export function ruPlural(n: number, one: string, few: string, many: string): string {
  const d = Math.abs(n) % 100;
  if (d >= 11 && d <= 14) return many;
  if (d % 10 === 1) return one;
  if (d % 10 >= 2 && d % 10 <= 4) return few;
  return many;
}

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
    `Файл «${name.slice(0, 80)}» не подходит: нужны CSV-файлы ${files.join(', ')} или один .zip с ними. ` +
    'Таблицу Excel сохраните как «CSV (разделители — запятые)».',
  unknownName: (name: string, files: readonly string[]) =>
    `Не знаю, что за файл «${name.slice(0, 80)}». Нужны файлы с именами ${files.join(', ')} — переименуйте его и пришлите снова.`,
  tooLarge: (name: string, sizeMb: number, maxMb: number) =>
    `Файл «${name.slice(0, 80)}» слишком большой (${fmtNumber(sizeMb, 1)} МБ): Telegram даёт боту скачать не больше ${maxMb} МБ. ` +
    'Упакуйте файлы в .zip — CSV сжимается в несколько раз.',
  notCsv: (name: string) =>
    `Файл «${name.slice(0, 80)}» не похож на CSV: внутри двоичные данные (возможно, это таблица Excel или картинка). Сохраните таблицу как CSV и пришлите снова.`,
  downloadFailed: (name: string) => `Не удалось скачать файл «${name.slice(0, 80)}» из Telegram. Пришлите его ещё раз.`,
  expired: (timeoutMin: number) => `Прошлая загрузка устарела (файлы ждали дольше ${timeoutMin} мин) — собираю заново.`,
  received: (got: readonly string[], missing: readonly string[], timeoutMin: number) =>
    [
      `📥 Получено: ${got.join(', ')}.`,
      `Жду ещё: ${missing.join(', ')}.`,
      `Файлы храню ${timeoutMin} мин; файл с тем же именем заменяет прежний.`,
    ].join('\n'),
  queued: '⏳ Жду, пока закончится другое обновление данных…',
  validating: '⏳ Проверяю файлы…',
  training: (kept: number, total: number) =>
    [
      `✅ Файлы в порядке: ${fmtNumber(kept, 0)} клиентов из ${fmtNumber(total, 0)}.`,
      '⏳ Обучаю модель — обычно это занимает до пары минут. Пока бот отвечает по прежней модели.',
    ].join('\n'),
  /** `filesKept`: the loose files stay staged, so re-sending only the fixed one completes the set. */
  dataErrors: (lines: readonly string[], rest: number, timeoutMin: number, filesKept: boolean) =>
    [
      '❌ В файлах есть ошибки — данные не загружены, модель прежняя.',
      '',
      ...lines,
      ...(rest > 0 ? [`…и ещё ${rest} ${ruPlural(rest, 'ошибка', 'ошибки', 'ошибок')}.`] : []),
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
        ? `Сменили зону риска: ${fmtNumber(r.bandChanges, 0)} из ${fmtNumber(r.compared, 0)} клиентов, которые есть в обеих версиях.`
        : 'Сравнить зоны риска не с чем: общих клиентов с прошлой версией нет.',
      '',
      `Версия данных: ${r.datasetVersion}. Подробнее — /model`,
    ].join('\n');
  },
} as const;

// ---------------------------------------------------------------- DIGEST: the weekly at-risk digest

const calendarDay = (iso: string) => new Date(`${iso}T12:00:00Z`);
const dayRange = new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'numeric', timeZone: 'UTC' });

/** «23–29 ноября 2026» */
export const fmtWeek = (w: { start: string; end: string }): string =>
  // ICU writes «2026 г.» with a no-break space; the year needs no «г.» in a heading.
  dayRange.formatRange(calendarDay(w.start), calendarDay(w.end)).replace(/\s+г\.(?=\s+–|$)/gu, '');

/** «23.11»: a week on the trend chart, by its Monday. */
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

const customers = (n: number) => `${fmtNumber(n, 0)} ${ruPlural(n, 'клиент', 'клиента', 'клиентов')}`;

function digestChange(v: Pick<DigestView, 'change'>): string[] {
  if (!v.change) return ['Это первая сводка — что изменилось, покажу через неделю.'];
  const { delta, added, removed, since } = v.change;
  const vs = `в сводке за ${fmtWeek(since)}`;
  const head =
    delta > 0 ? `▲ на ${fmtNumber(delta, 0)} больше, чем ${vs}` : delta < 0 ? `▼ на ${fmtNumber(-delta, 0)} меньше, чем ${vs}` : `столько же, сколько ${vs}`;
  return [head, `🆕 новых в зоне риска: ${fmtNumber(added.length, 0)} · ✅ вышли из неё: ${fmtNumber(removed.length, 0)}`];
}

export const DIGEST = {
  text: (v: Pick<DigestView, 'period' | 'model' | 'atRisk' | 'change' | 'top' | 'segments'>): string => {
    const family = FAMILY_LABELS[v.model.family] ?? v.model.family;
    return [
      `📬 Сводка по риску снижения покупок: ${fmtWeek(v.period)}`,
      `Модель v${v.model.version} (${family}), данные v${v.model.datasetVersion}.`,
      '',
      `🔴 В зоне высокого риска: ${customers(v.atRisk.count)}`,
      ...digestChange(v),
      `💰 Прибыль под угрозой (вероятность × прибыль): ${fmtNumber(v.atRisk.profitAtStake, 1)}`,
      '',
      ...(v.top.length
        ? [
            '📞 Кому звонить первым (по ожидаемой потере прибыли):',
            ...v.top.flatMap((c, i) => [
              `${i + 1}. ${c.id}${c.isNew ? ' 🆕' : ''} — риск ${fmtProbability(c.probability)}, прибыль ${fmtNumber(c.profit, 2)}`,
              ...(c.driver ? [`   Почему: ${describeDriver(c.driver)}`] : []),
              `   Что предложить: ${OFFER_TEXT[c.offer].action}`,
            ]),
          ]
        : ['Клиентов с высоким риском сейчас нет — звонить срочно некому.']),
      '',
      'Сегменты (клиентов · прибыль под угрозой):',
      ...v.segments.map((s) => `• ${SEGMENT_TEXT[s.code].title} — ${fmtNumber(s.size, 0)} · ${fmtNumber(s.profitAtStake, 1)}`),
      '',
      `Весь список — в файле ниже. Подробнее о клиенте: /risk ID. Отписаться: /unsubscribe`,
    ].join('\n');
  },
  csvHeader: ['id', 'вероятность', 'прибыль', 'ожидаемая потеря', 'новый в зоне риска', 'сегменты', 'что предложить'],
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
