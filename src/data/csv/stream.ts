/**
 * Hands kept customers to a CustomerSink while market_file.csv — read last when streaming — is
 * still being read: by then every other file is in, so each market_file row completes a customer.
 * cleanAndPivot stays the authority; `verify` refuses a result that differs from what was sent.
 */
import type { Customer, ServiceType } from '../../core/domain.ts';
import type { CustomerSink } from '../../core/ports.ts';
import { revenueOutlierThreshold } from './clean.ts';
import type { ProblemLog } from './problems.ts';
import { NO_LABEL, type CustomerTable } from './table.ts';

/**
 * The outlier threshold cleanAndPivot will compute, from the revenue files alone. Equal to it
 * whenever the data set has no problem: then exactly market_file.csv's customers have revenues.
 */
function earlyThreshold(table: CustomerTable, k: number): number {
  const [rev0, rev1, rev2] = table.revenue;
  const pooled = new Float64Array(table.size * 3);
  let n = 0;
  for (let s = 0; s < table.size; s++) {
    if (rev0[s] === 0 || rev1[s] === 0 || rev2[s] === 0) continue;
    pooled[3 * n] = rev0[s];
    pooled[3 * n + 1] = rev1[s];
    pooled[3 * n + 2] = rev2[s];
    n++;
  }
  return revenueOutlierThreshold(pooled.subarray(0, 3 * n), n, k);
}

export class CustomerStreamer {
  private readonly threshold: number;
  private sent = new Int32Array(1024);
  private count = 0;
  /** One object refilled per customer, as the sink allows. */
  private readonly c: Customer = {
    id: 0, label: null, serviceType: 'стандарт', allowNotify: false, marketActive6m: 0, marketActiveCurrent: 0, tenureDays: 0,
    promoShare: 0, popularCategory: '', categoriesPerVisit: 0, unpaidItems: 0, serviceErrors: 0, pagesPerVisit: 0,
    revenuePrePrev: 0, revenuePrev: 0, revenueCurrent: 0, minutesPrev: 0, minutesCurrent: 0, profit: 0,
  };

  /** Call once the three files other than market_file.csv are read. */
  constructor(
    private readonly table: CustomerTable,
    private readonly problems: ProblemLog,
    private readonly sink: CustomerSink,
    k: number,
  ) {
    this.threshold = earlyThreshold(table, k);
  }

  /**
   * The customer at `slot` if it is kept and complete. After any problem nothing more is sent: the
   * ingest will fail, and a half-read value must not reach the store as a NULL it refuses.
   */
  offer(slot: number): void {
    if (this.problems.count > 0) return;
    const t = this.table;
    const n = t.numeric;
    const r0 = t.revenue[0][slot];
    const r1 = t.revenue[1][slot];
    const r2 = t.revenue[2][slot];
    // Dropped (zero revenue, outlier) or missing a value (NaN: reported now or by crossCheck).
    if (r0 === 0 || r1 === 0 || r2 === 0 || !(r0 <= this.threshold && r1 <= this.threshold && r2 <= this.threshold)) return;
    const c = this.c;
    c.id = t.ids[slot];
    const label = t.label[slot];
    c.label = label === NO_LABEL ? null : (label as 0 | 1);
    c.serviceType = (t.service[slot] === 0 ? 'премиум' : 'стандарт') as ServiceType;
    c.allowNotify = t.notify[slot] === 1;
    c.marketActive6m = n.marketActive6m[slot];
    c.marketActiveCurrent = n.marketActiveCurrent[slot];
    c.tenureDays = n.tenureDays[slot];
    c.promoShare = n.promoShare[slot];
    c.popularCategory = t.categories[t.category[slot]];
    c.categoriesPerVisit = n.categoriesPerVisit[slot];
    c.unpaidItems = n.unpaidItems[slot];
    c.serviceErrors = n.serviceErrors[slot];
    c.pagesPerVisit = n.pagesPerVisit[slot];
    c.revenuePrePrev = r0;
    c.revenuePrev = r1;
    c.revenueCurrent = r2;
    c.minutesPrev = t.minutes[0][slot];
    c.minutesCurrent = t.minutes[1][slot];
    c.profit = t.profit[slot];
    // Every value is finite once parsed, so the sum is NaN only when one of them is missing.
    const sum =
      c.marketActive6m + c.marketActiveCurrent + c.tenureDays + c.promoShare + c.categoriesPerVisit + c.unpaidItems +
      c.serviceErrors + c.pagesPerVisit + c.minutesPrev + c.minutesCurrent + c.profit;
    if (sum !== sum || c.popularCategory === undefined) return;
    if (this.count === this.sent.length) {
      const grown = new Int32Array(this.count * 2);
      grown.set(this.sent);
      this.sent = grown;
    }
    this.sent[this.count++] = slot;
    this.sink.write(c);
  }

  ready(): Promise<void> {
    return this.sink.ready();
  }

  /** Throws unless the cleaned customers are exactly those sent, in that order (a bug, not a data problem). */
  verify(customers: readonly Customer[]): void {
    let same = customers.length === this.count;
    for (let i = 0; same && i < customers.length; i++) same = customers[i].id === this.table.ids[this.sent[i]];
    if (!same) throw new Error(`streamed ${this.count} customers, but the data set kept ${customers.length} others`);
  }
}
