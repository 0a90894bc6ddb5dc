/**
 * What the four files of a «В один клик» data set look like: their roles, the Russian
 * column headers, the allowed words and the known typos of the source system.
 */

export type Role = 'market_file' | 'market_money' | 'market_time' | 'money';

export const ROLES: readonly Role[] = ['market_file', 'market_money', 'market_time', 'money'];

/** Canonical file name of each role (used in messages when the file itself is missing). */
export const ROLE_FILE: Record<Role, string> = {
  market_file: 'market_file.csv',
  market_money: 'market_money.csv',
  market_time: 'market_time.csv',
  money: 'money.csv',
};

/**
 * Header comparison key: case, surrounding whitespace, runs of spaces/underscores and ё/е
 * do not matter («Тип сервиса», «тип_сервиса », «ТИП  СЕРВИСА» are one column).
 */
export function headerKey(raw: string): string {
  return raw
    .replace(/^\uFEFF/, '')
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[\s_]+/g, '_');
}

/** Word comparison key for category-like values (labels, periods, service types). */
export function wordKey(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase().replace(/ё/g, 'е').replace(/[\s_]+/g, ' ');
}

/** A file name without folder, extension and «(1)»/«- копия» suffixes, lower case: `Money (1).CSV` → `money`. */
export function fileNameKey(name: string): string {
  return (name.split(/[\\/]/).pop() ?? name)
    .toLowerCase()
    .trim()
    .replace(/\.(csv|tsv|txt)$/, '')
    .replace(/\s*(\(\d+\)|-?\s*копия|-?\s*copy)$/, '')
    .replace(/[\s-]+/g, '_');
}

/** Role of a file from its name: tolerant to case, extension and «(1)»/«- копия» suffixes. */
export function roleOfFileName(name: string): Role | null {
  const base = fileNameKey(name);
  return (ROLES as readonly string[]).includes(base) ? (base as Role) : null;
}

export interface NumericColumn {
  header: string;
  min?: number;
  max?: number;
}

/** market_file.csv numeric columns, in Customer field terms. */
export const MARKET_NUMERIC = {
  marketActive6m: { header: 'Маркет_актив_6_мес', min: 0 },
  marketActiveCurrent: { header: 'Маркет_актив_тек_мес', min: 0 },
  tenureDays: { header: 'Длительность', min: 0 },
  promoShare: { header: 'Акционные_покупки', min: 0, max: 1 },
  categoriesPerVisit: { header: 'Средний_просмотр_категорий_за_визит', min: 0 },
  unpaidItems: { header: 'Неоплаченные_продукты_штук_квартал', min: 0 },
  serviceErrors: { header: 'Ошибка_сервиса', min: 0 },
  pagesPerVisit: { header: 'Страниц_за_визит', min: 0 },
} as const satisfies Record<string, NumericColumn>;

export type MarketNumericField = keyof typeof MARKET_NUMERIC;
export const MARKET_NUMERIC_FIELDS = Object.keys(MARKET_NUMERIC) as MarketNumericField[];

export const COLUMNS = {
  id: 'id',
  label: 'Покупательская активность',
  serviceType: 'Тип сервиса',
  allowNotify: 'Разрешить сообщать',
  popularCategory: 'Популярная_категория',
  period: 'Период',
  revenue: 'Выручка',
  minutes: 'минут',
  profit: 'Прибыль',
} as const;

export const LABEL_WORDS = { 'снизилась': 1, 'прежний уровень': 0 } as const;
export const LABEL_DISPLAY = ['Снизилась', 'Прежний уровень'] as const;

/** Service types; «стандартт» is a known typo of the source system. */
export const SERVICE_WORDS: Record<string, 'премиум' | 'стандарт'> = {
  'премиум': 'премиум',
  'стандарт': 'стандарт',
  'стандартт': 'стандарт',
};
export const SERVICE_DISPLAY = ['премиум', 'стандарт'] as const;

export const YES_NO_WORDS: Record<string, boolean> = { 'да': true, 'нет': false };
export const YES_NO_DISPLAY = ['да', 'нет'] as const;

/** Revenue periods, oldest first; index = position in the pivot. */
export const REVENUE_PERIODS = ['препредыдущий_месяц', 'предыдущий_месяц', 'текущий_месяц'] as const;
/** Time-on-site periods, oldest first. */
export const TIME_PERIODS = ['предыдущий_месяц', 'текущий_месяц'] as const;

/** Period word → canonical period; «предыдцщий_месяц» is a typo the real market_time.csv has throughout. */
export const PERIOD_WORDS: Record<string, string> = {
  'препредыдущий месяц': 'препредыдущий_месяц',
  'предыдущий месяц': 'предыдущий_месяц',
  'предыдцщий месяц': 'предыдущий_месяц',
  'текущий месяц': 'текущий_месяц',
};

/** Required and optional columns per role (header texts as in the real files). */
export const REQUIRED_COLUMNS: Record<Role, readonly string[]> = {
  market_file: [
    COLUMNS.id,
    COLUMNS.serviceType,
    COLUMNS.allowNotify,
    ...MARKET_NUMERIC_FIELDS.map((f) => MARKET_NUMERIC[f].header),
    COLUMNS.popularCategory,
  ],
  market_money: [COLUMNS.id, COLUMNS.period, COLUMNS.revenue],
  market_time: [COLUMNS.id, COLUMNS.period, COLUMNS.minutes],
  money: [COLUMNS.id, COLUMNS.profit],
};
