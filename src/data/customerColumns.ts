/** Customer fields and the columns that hold them, in table order: the one map from the domain to SQL. */
import type { Customer } from '../core/domain.ts';

export const CUSTOMER_COLUMNS = [
  ['id', 'id'],
  ['label', 'label'],
  ['serviceType', 'service_type'],
  ['allowNotify', 'allow_notify'],
  ['marketActive6m', 'market_active_6m'],
  ['marketActiveCurrent', 'market_active_current'],
  ['tenureDays', 'tenure_days'],
  ['promoShare', 'promo_share'],
  ['popularCategory', 'popular_category'],
  ['categoriesPerVisit', 'categories_per_visit'],
  ['unpaidItems', 'unpaid_items'],
  ['serviceErrors', 'service_errors'],
  ['pagesPerVisit', 'pages_per_visit'],
  ['revenuePrePrev', 'revenue_pre_prev'],
  ['revenuePrev', 'revenue_prev'],
  ['revenueCurrent', 'revenue_current'],
  ['minutesPrev', 'minutes_prev'],
  ['minutesCurrent', 'minutes_current'],
  ['profit', 'profit'],
] as const satisfies readonly (readonly [keyof Customer, string])[];
