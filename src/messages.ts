/** Every user-facing Russian string lives here. Code, identifiers and logs stay English. */
import type { RiskAnswer } from './core/assistant.ts';
import type { DigestView } from './core/digest/view.ts';
import type { FeatureName } from './core/domain.ts';
import type { Band, Driver } from './core/risk.ts';
import type { OfferCode, SegmentCode, SegmentSummary } from './core/segments.ts';
import { shorten } from './core/text.ts';

const ru = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2 });
const ru0 = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 });

/** Russian number: decimal comma, thin-space thousands. */
export const fmtNumber = (v: number, digits = 2): string =>
  (digits === 0 ? ru0 : new Intl.NumberFormat('ru-RU', { maximumFractionDigits: digits })).format(v);
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
    `«${shorten(text, 40)}» не похоже на номер клиента. Пришлите число${forExample(exampleId)}`,
  customerNotFound: (id: string, near: string[]) =>
    `Клиент не найден: ${id}.` + (near.length ? ` Ближайшие известные номера: ${near.join(', ')}.` : ''),
  noModel: 'Модель ещё не обучена: загрузите данные (/upload) — и я отвечу.',
  unknownCommand: 'Не знаю такой команды. Список команд — /help',
  notACommand: (exampleId: number | null) => `Я понимаю команды. Например: ${riskExample(exampleId)}. Все команды — /help`,
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
  unknown: (name: string) => `Не знаю сегмента «${shorten(name, 40)}». Выберите из списка:`,
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

// ---------------------------------------------------------------- CAMPAIGN: weekly call list, outreach, results, contacts, Excel export
// (Imports are hoisted; kept here so this block stays one piece.)
import { MIN_GROUP, type ArmComparison, type CampaignResults, type PlanEntry, type PlanTableLabels, type WeekPlan, type WeekProgress, type WeekResult } from './core/campaign/index.ts';
import { periodFromKey } from './core/digest/period.ts';
import type { CampaignOffer, CustomerContact, OutreachStatus } from './core/ports.ts';

const cmpCustomers = (n: number) => `${fmtNumber(n, 0)} ${ruPlural(n, 'клиент', 'клиента', 'клиентов')}`;
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
function cmpWhy(e: Pick<PlanEntry, 'driver' | 'offer'>): string {
  return e.driver ? describeDriver(e.driver) : OFFER_TEXT[e.offer].reason;
}

function cmpEntry(e: PlanEntry, n: number, timeZone: string): string[] {
  return [
    `${n}. ${e.id}${e.contact ? ` — ${cmpContact(e.contact)}` : ''}`,
    `   риск ${fmtProbability(e.probability)} · прибыль ${fmtNumber(e.profit, 2)} · ожидаемая потеря ${fmtNumber(e.expectedLoss, 2)}`,
    `   Почему: ${cmpWhy(e)}`,
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
function cmpComparison(r: ArmComparison): string[] {
  const sizes = `в плане ${cmpCustomers(r.treated)}, в контроле ${cmpCustomers(r.control)}`;
  if (!cmpMeasured(r)) return [`${capitalize(sizes)}.`, `⏳ Вывод делать рано: нужно хотя бы ${MIN_GROUP} клиентов в каждой группе.`];
  const verdict = r.ciLow > 0 ? 'звонки помогают' : r.ciHigh < 0 ? 'после звонков снижают покупки чаще — стоит пересмотреть предложения' : 'разница может быть случайной';
  return [
    `Снизили покупки: ${fmtPercent(r.treatedDecline)} из плана против ${fmtPercent(r.controlDecline)} в контроле (${sizes}).`,
    `Из плана снижают покупки ${cmpEffect(r)} — ${verdict}.`,
    ...(r.revenueDiff === null
      ? []
      : [`Выручка за месяц к прошлому периоду: у клиентов из плана в среднем на ${fmtNumber(Math.abs(r.revenueDiff), 2)} ${r.revenueDiff >= 0 ? 'лучше' : 'хуже'}, чем в контроле.`]),
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

  planPage: (v: { plan: WeekPlan; entries: readonly PlanEntry[]; first: number; page: number; pages: number; timeZone: string; crm: boolean }): string => {
    const { plan } = v;
    const head = [`📋 План звонков на неделю ${cmpWeek(plan.week)}`];
    if (plan.entries.length === 0) {
      return [
        ...head,
        '',
        plan.eligible === 0
          ? `Звонить на этой неделе некому: клиентов с высоким риском нет, или всем уже звонили за последние ${plan.cooldownDays} ${ruPlural(plan.cooldownDays, 'день', 'дня', 'дней')}.`
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
      ...v.entries.flatMap((e, i) => [...cmpEntry(e, v.first + i, v.timeZone), '']),
      `Отметьте результат кнопкой с номером клиента.${v.crm ? ' 🔗 — карточка в CRM.' : ''}${v.pages > 1 ? ` Страница ${v.page} из ${v.pages}.` : ''}`,
      ...(v.page === 1 && plan.heldOut > 0
        ? [
            `Ещё ${cmpCustomers(plan.heldOut)} — контрольная группа: им на этой неделе не звоним, по ним меряем эффект звонков (/campaign).`,
          ]
        : []),
    ].join('\n');
  },

  /** The whole list at once, for `retention plan`. */
  planList: (plan: WeekPlan, timeZone: string): string =>
    [
      `📋 План звонков на неделю ${cmpWeek(plan.week)}`,
      ...(plan.entries.length ? [cmpProgress(plan.progress), ''] : ['Звонить на этой неделе некому.']),
      ...plan.entries.flatMap((e, i) => [...cmpEntry(e, i + 1, timeZone), '']),
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
  noSuchPage: (pages: number) => `В плане ${pages} ${ruPlural(pages, 'страница', 'страницы', 'страниц')}. Первая — /plan`,

  results: (r: CampaignResults, opts: { weeks: number }): string => {
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
        ...cmpComparison(w.overall),
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
    if (!cmpMeasured(r)) return `${head} вывод делать рано — в группах ${r.treated} и ${r.control} клиентов, нужно хотя бы ${MIN_GROUP}. Подробнее — /campaign`;
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
  table: {
    headers: {
      id: 'id',
      contacts: 'контакты',
      probability: 'вероятность снижения',
      band: 'риск',
      driver: 'главная причина',
      segment: 'сегменты',
      offer: 'что предложить',
      profit: 'прибыль',
      expectedLoss: 'ожидаемая потеря',
      status: 'статус звонка',
      contactedAt: 'когда звонили',
    },
    band: (b: Band) => BAND_LABELS[b],
    driver: (f: FeatureName) => FEATURE_LABELS[f],
    segment: (s: SegmentCode) => SEGMENT_TEXT[s].title,
    offer: (o: CampaignOffer) => OFFER_TEXT[o].action,
    status: (s: OutreachStatus | null) => (s === null ? 'не звонили' : { offered: 'предложил', no_answer: 'не дозвонился', declined: 'отказ' }[s]),
  } satisfies PlanTableLabels,
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
