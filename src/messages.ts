/** Every user-facing Russian string lives here. Code, identifiers and logs stay English. */
import type { FeatureName } from './core/domain.ts';

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
    title: (id: number) => `Почему клиент ${id} в зоне риска`,
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
    xAxis: 'вероятность снижения активности',
    yAxis: 'клиентов',
    threshold: (t: number) => `порог высокого риска ${Math.round(t * 100)}%`,
  },
  trend: {
    title: 'Клиенты с высоким риском по неделям',
    xAxis: 'неделя',
    yAxis: 'клиентов с высоким риском',
  },
} as const;
