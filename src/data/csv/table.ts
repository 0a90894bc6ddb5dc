/**
 * Compact per-customer state while the four files stream past: one slot per id, columns in
 * typed arrays (about 150 bytes per customer), so a million customers cost ~150 MB, not
 * millions of small objects. Line numbers (0 = not seen) remember where each fact came from.
 */
import { MARKET_NUMERIC_FIELDS, type MarketNumericField } from './schema.ts';

type Typed = Float64Array | Int32Array | Uint8Array | Uint16Array;

/** Label slot value for «no label column». */
export const NO_LABEL = 2;

/**
 * id → slot. Customer ids are nearly contiguous (215348, 215349, …), so a dense array indexed
 * by `id - base` is used while the ids stay dense; it turns into a Map if they turn out sparse.
 */
class SlotIndex {
  private base = 0;
  private dense: Int32Array | null = new Int32Array(0);
  private map: Map<number, number> | null = null;
  private count = 0;

  get(id: number): number | undefined {
    if (this.dense) {
      const k = id - this.base;
      if (k >= 0 && k < this.dense.length) {
        const v = this.dense[k];
        return v === 0 ? undefined : v - 1;
      }
      return undefined;
    }
    return this.map!.get(id);
  }

  set(id: number, slot: number): void {
    this.count++;
    if (this.dense) {
      let k = id - this.base;
      if (k < 0 || k >= this.dense.length) {
        this.regrow(id);
        k = id - this.base;
      }
      if (this.dense) {
        this.dense[k] = slot + 1;
        return;
      }
    }
    this.map!.set(id, slot);
  }

  private regrow(id: number): void {
    const old = this.dense!;
    const first = old.length === 0;
    const lo = first ? id : Math.min(this.base, id);
    const hi = first ? id + 1 : Math.max(this.base + old.length, id + 1);
    const span = hi - lo;
    const length = Math.max(span, old.length * 2, 1024);
    if (span > 8 * (this.count + 1024) || length > 1 << 25) {
      const map = new Map<number, number>();
      for (let k = 0; k < old.length; k++) if (old[k] !== 0) map.set(this.base + k, old[k] - 1);
      this.map = map;
      this.dense = null;
      return;
    }
    const base = id < this.base ? hi - length : lo;
    const dense = new Int32Array(length);
    if (!first) dense.set(old, this.base - base);
    this.base = base;
    this.dense = dense;
  }
}

export class CustomerTable {
  size = 0;
  private capacity = 0;
  private readonly slots = new SlotIndex();

  ids = new Float64Array(0);
  /** market_file.csv line of the customer; 0 when the id never appeared there. Set through markMarket. */
  marketLine = new Int32Array(0);
  /**
   * Slots in the order market_file.csv first named them (the first `marketCount`): the data set's
   * order even when that file is read after the others and their ids took the first slots.
   */
  marketOrder = new Int32Array(0);
  marketCount = 0;
  label = new Uint8Array(0);
  /** 0 = премиум, 1 = стандарт. */
  service = new Uint8Array(0);
  notify = new Uint8Array(0);
  category = new Uint16Array(0);
  numeric = {} as Record<MarketNumericField, Float64Array>;
  revenue: Float64Array[] = [];
  revenueLine: Int32Array[] = [];
  minutes: Float64Array[] = [];
  minutesLine: Int32Array[] = [];
  profit = new Float64Array(0);
  profitLine = new Int32Array(0);

  /** Interned category names (a million customers share a handful of strings). */
  readonly categories: string[] = [];
  private readonly categoryIndex = new Map<string, number>();

  constructor(
    private readonly revenuePeriods: number,
    private readonly timePeriods: number,
    expectedCustomers = 1024,
  ) {
    for (const f of MARKET_NUMERIC_FIELDS) this.numeric[f] = new Float64Array(0);
    this.grow(Math.max(1024, Math.min(expectedCustomers, 1 << 24)));
  }

  slotOf(id: number): number | undefined {
    return this.slots.get(id);
  }

  /** Slot of an id, created on first sight. */
  slot(id: number): number {
    let s = this.slots.get(id);
    if (s === undefined) {
      if (this.size === this.capacity) this.grow(this.capacity * 2);
      s = this.size++;
      this.slots.set(id, s);
      this.ids[s] = id;
    }
    return s;
  }

  /** Records the customer's market_file.csv line, unless it already has one. */
  markMarket(s: number, line: number): void {
    if (this.marketLine[s] !== 0) return;
    this.marketLine[s] = line;
    this.marketOrder[this.marketCount++] = s;
  }

  /**
   * Every slot, market_file.csv's customers first in that file's order, then the ids only other
   * files named in the order they came: the order the slots had when market_file.csv was read first.
   */
  order(): Int32Array {
    const out = new Int32Array(this.size);
    out.set(this.marketOrder.subarray(0, this.marketCount));
    let k = this.marketCount;
    for (let s = 0; s < this.size; s++) if (this.marketLine[s] === 0) out[k++] = s;
    return out;
  }

  categoryId(name: string): number {
    let c = this.categoryIndex.get(name);
    if (c === undefined) {
      c = this.categories.length;
      if (c > 0xffff) throw new Error('too many distinct categories');
      this.categories.push(name);
      this.categoryIndex.set(name, c);
    }
    return c;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const re = <T extends Typed>(a: T, fill?: number): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      if (fill !== undefined) b.fill(fill, old);
      return b;
    };
    this.ids = re(this.ids);
    this.marketLine = re(this.marketLine);
    this.marketOrder = re(this.marketOrder);
    this.label = re(this.label);
    this.service = re(this.service);
    this.notify = re(this.notify);
    this.category = re(this.category);
    for (const f of MARKET_NUMERIC_FIELDS) this.numeric[f] = re(this.numeric[f], NaN);
    for (let p = 0; p < this.revenuePeriods; p++) {
      this.revenue[p] = re(this.revenue[p] ?? new Float64Array(0), NaN);
      this.revenueLine[p] = re(this.revenueLine[p] ?? new Int32Array(0));
    }
    for (let p = 0; p < this.timePeriods; p++) {
      this.minutes[p] = re(this.minutes[p] ?? new Float64Array(0), NaN);
      this.minutesLine[p] = re(this.minutesLine[p] ?? new Int32Array(0));
    }
    this.profit = re(this.profit, NaN);
    this.profitLine = re(this.profitLine);
    this.capacity = capacity;
  }
}
