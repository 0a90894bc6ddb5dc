/**
 * Charts rendered once and reused. A chart config is a pure function of what it shows — the model
 * version, the kind and the subject (a customer, the segment sizes) — so its data is the key
 * (cacheKey.ts): the same question under the same model is a cache hit, a new model or new data
 * is a new key, and no entry can go stale. Bounded by bytes,
 * least recently used out first. The same Buffer comes back on a hit, which lets the Telegram
 * sender recognise bytes it has already uploaded. Behind the memory, optionally, the disk
 * (diskCache.ts), where the workers leave the charts they draw ahead of the questions (prerender.ts).
 */
import { checkSize, preferredSize, type ChartRenderer } from '../../features/charts/renderer.ts';
import type { ChartConfig, ChartSize } from '../../features/charts/types.ts';
import type { ChartDiskCache } from './diskCache.ts';
import { chartKey } from './cacheKey.ts';
import { chartSource } from './source.ts';

export const DEFAULT_CHART_CACHE_BYTES = 32 * 2 ** 20;

/** Where a chart is drawn off the event loop, when such a place is running. */
export interface ChartRenderPool {
  readonly ready: boolean;
  render(source: string, size: ChartSize): Promise<Buffer>;
}

export class ByteLru {
  private readonly entries = new Map<string, Buffer>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: Buffer): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.length;
    }
    if (value.length > this.maxBytes) return;
    this.entries.set(key, value);
    this.total += value.length;
    for (const [k, v] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= v.length;
    }
  }
}

export class CachingChartRenderer implements ChartRenderer {
  readonly cache: ByteLru;
  private readonly rendering = new Map<string, Promise<Buffer>>();
  private readonly pool: () => ChartRenderPool | null;
  private readonly disk: ChartDiskCache | null;
  /** Renders actually drawn (not served from memory or disk). */
  drawn = 0;

  constructor(
    private readonly inner: ChartRenderer,
    opts: { maxBytes?: number; pool?: () => ChartRenderPool | null; disk?: ChartDiskCache | null } = {},
  ) {
    this.cache = new ByteLru(opts.maxBytes ?? DEFAULT_CHART_CACHE_BYTES);
    this.pool = opts.pool ?? (() => null);
    this.disk = opts.disk ?? null;
  }

  private keyed(config: ChartConfig, size?: ChartSize) {
    const checked = checkSize(size ?? preferredSize(config));
    return { checked, key: chartKey(config, checked) };
  }

  private draw(config: ChartConfig, checked: ChartSize): Promise<Buffer> {
    const pool = this.pool();
    this.drawn++;
    return pool?.ready ? pool.render(chartSource(config), checked) : this.inner.render(config, checked);
  }

  render(config: ChartConfig, size?: ChartSize): Promise<Buffer> {
    const { checked, key } = this.keyed(config, size);
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit);
    let job = this.rendering.get(key);
    if (!job) {
      job = (async () => {
        const stored = await this.disk?.get(key);
        if (stored) return stored;
        const png = await this.draw(config, checked);
        void this.disk?.put(key, png);
        return png;
      })()
        .then((png) => {
          this.cache.set(key, png);
          return png;
        })
        .finally(() => this.rendering.delete(key));
      this.rendering.set(key, job);
    }
    return job;
  }

  /**
   * Makes sure the chart is on disk, without keeping it in memory: what drawing ahead does. Returns
   * its size on disk and whether it had to be drawn; null without a disk cache.
   */
  async prerender(config: ChartConfig, size?: ChartSize): Promise<{ bytes: number; drawn: boolean } | null> {
    if (!this.disk) return null;
    const { checked, key } = this.keyed(config, size);
    const kept = await this.disk.keep(key);
    if (kept !== null) return { bytes: kept, drawn: false };
    const png = await this.draw(config, checked);
    await this.disk.put(key, png);
    return { bytes: png.length, drawn: true };
  }
}
