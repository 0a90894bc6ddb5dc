/**
 * A set that forgets: entries expire after `ttlMs`, and past `maxSize` the oldest go first.
 * Whatever strangers can add to must stay bounded.
 */
export class ExpiringSet<K> {
  private readonly added = new Map<K, number>();

  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds `key`; false when it was already there and not expired. */
  add(key: K): boolean {
    const t = this.now();
    const at = this.added.get(key);
    if (at !== undefined && t - at < this.ttlMs) return false;
    this.added.delete(key);
    this.added.set(key, t);
    // Map keeps insertion order, so the first keys are the oldest.
    for (const [k, when] of this.added) {
      if (this.added.size <= this.maxSize && t - when < this.ttlMs) break;
      this.added.delete(k);
    }
    return true;
  }

  get size(): number {
    return this.added.size;
  }
}
