import type { Customer, DroppedCustomer, ServiceType } from '../../core/domain.ts';
import { revenueOutlierThreshold } from './clean.ts';
import type { IngestResult } from './types.ts';
import { NO_LABEL, type CustomerTable } from './table.ts';

/**
 * The column as an Int32Array when every used value is a small integer: V8 then keeps those
 * Customer fields unboxed, which saves ~120 MB and a good share of the build time per
 * million customers compared with boxing each double.
 */
function integral(a: Float64Array, slots: readonly number[]): Float64Array | Int32Array {
  for (const s of slots) {
    const v = a[s];
    if (v !== (v | 0) || v > 0x3fffffff || v < -0x40000000) return a;
  }
  return new Int32Array(a);
}

/** Drops zero-revenue customers and revenue outliers, then pivots the rest into Customers. */
export function cleanAndPivot(table: CustomerTable, rowsIn: Record<string, number>, formats: IngestResult['formats'], k: number): IngestResult {
  const [rev0, rev1, rev2] = table.revenue;
  const slots = Array.from(table.marketOrder.subarray(0, table.marketCount));
  const customersIn = slots.length;

  const reason = new Map<number, DroppedCustomer['reason']>();
  const positive: number[] = [];
  for (const s of slots) {
    if (rev0[s] === 0 || rev1[s] === 0 || rev2[s] === 0) reason.set(s, 'zero_revenue');
    else positive.push(s);
  }
  const pooled = new Float64Array(positive.length * 3);
  positive.forEach((s, i) => {
    pooled[3 * i] = rev0[s];
    pooled[3 * i + 1] = rev1[s];
    pooled[3 * i + 2] = rev2[s];
  });
  const threshold = revenueOutlierThreshold(pooled, positive.length, k);
  for (const s of positive) if (rev0[s] > threshold || rev1[s] > threshold || rev2[s] > threshold) reason.set(s, 'revenue_outlier');

  const kept = slots.filter((s) => !reason.has(s));
  const customers: Customer[] = new Array(kept.length);
  const dropped: DroppedCustomer[] = [];
  for (const s of slots) {
    const why = reason.get(s);
    if (why) dropped.push({ id: table.ids[s], reason: why });
  }
  const n = table.numeric;
  const ids = integral(table.ids, kept);
  const marketActiveCurrent = integral(n.marketActiveCurrent, kept);
  const tenureDays = integral(n.tenureDays, kept);
  const categoriesPerVisit = integral(n.categoriesPerVisit, kept);
  const unpaidItems = integral(n.unpaidItems, kept);
  const serviceErrors = integral(n.serviceErrors, kept);
  const pagesPerVisit = integral(n.pagesPerVisit, kept);
  const minutesPrev = integral(table.minutes[0], kept);
  const minutesCurrent = integral(table.minutes[1], kept);
  for (let i = 0; i < kept.length; i++) {
    const s = kept[i];
    const label = table.label[s];
    customers[i] = {
      id: ids[s],
      label: label === NO_LABEL ? null : (label as 0 | 1),
      serviceType: (table.service[s] === 0 ? 'премиум' : 'стандарт') as ServiceType,
      allowNotify: table.notify[s] === 1,
      marketActive6m: n.marketActive6m[s],
      marketActiveCurrent: marketActiveCurrent[s],
      tenureDays: tenureDays[s],
      promoShare: n.promoShare[s],
      popularCategory: table.categories[table.category[s]],
      categoriesPerVisit: categoriesPerVisit[s],
      unpaidItems: unpaidItems[s],
      serviceErrors: serviceErrors[s],
      pagesPerVisit: pagesPerVisit[s],
      revenuePrePrev: rev0[s],
      revenuePrev: rev1[s],
      revenueCurrent: rev2[s],
      minutesPrev: minutesPrev[s],
      minutesCurrent: minutesCurrent[s],
      profit: table.profit[s],
    };
  }
  return { customers, dropped, rowsIn, customersIn, formats, outlierThreshold: threshold };
}

