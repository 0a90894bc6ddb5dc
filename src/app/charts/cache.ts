/**
 * Charts rendered once and reused. A chart config is a pure function of what it shows — the model
 * version, the kind and the subject (a customer, the segment sizes) — so its source text (the
 * same text a worker renders from) is the key: the same question under the same model is a
 * cache hit, a new model or new data is a new key, and no entry can go stale. Bounded by bytes,
 * least recently used out first. The same Buffer comes back on a hit, which lets the Telegram
 * sender recognise bytes it has already uploaded.
 */
import { createHash } from 'node:crypto';
import { checkSize, preferredSize, type ChartRenderer } from '../../features/charts/renderer.ts';
import type { ChartConfig, ChartSize } from '../../features/charts/types.ts';
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
  /** Renders actually drawn (not served from the cache). */
  drawn = 0;

  constructor(
    private readonly inner: ChartRenderer,
    opts: { maxBytes?: number; pool?: () => ChartRenderPool | null } = {},
  ) {
    this.cache = new ByteLru(opts.maxBytes ?? DEFAULT_CHART_CACHE_BYTES);
    this.pool = opts.pool ?? (() => null);
  }

  private readonly pool: () => ChartRenderPool | null;

  render(config: ChartConfig, size?: ChartSize): Promise<Buffer> {
    const checked = checkSize(size ?? preferredSize(config));
    const source = chartSource(config);
    const key = createHash('sha1').update(`${checked.width}x${checked.height}\n${source}`).digest('base64');
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit);
    let job = this.rendering.get(key);
    if (!job) {
      const pool = this.pool();
      this.drawn++;
      job = (pool?.ready ? pool.render(source, checked) : this.inner.render(config, checked))
        .then((png) => {
          this.cache.set(key, png);
          return png;
        })
        .finally(() => this.rendering.delete(key));
      this.rendering.set(key, job);
    }
    return job;
  }
}
