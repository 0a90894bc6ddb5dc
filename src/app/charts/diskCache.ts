/**
 * Rendered charts on disk, shared by the bot's thread, its workers and a restarted bot: a PNG is
 * drawn once per (chart source, size) and then read back in well under a millisecond, where
 * drawing a /risk chart costs 10–15 ms of a core. Only a cache: a file that cannot be read or
 * written is a miss, never an error an answer sees. Bounded by bytes, oldest written (or kept) out
 * first; a chart of an older model is never asked for again, so it simply ages out.
 */
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StoreTarget } from '../../data/index.ts';

const SUFFIX = '.png';

/**
 * Where charts go without CHART_CACHE_DIR: beside a SQLite file, so each store has its own; for a
 * PostgreSQL store one folder under the temp dir, which its replicas on one machine share (a
 * chart's file name is its content's hash); none for a store in memory.
 */
export function chartCacheDir(target: StoreTarget): string | null {
  if (target.engine === 'postgres') return join(tmpdir(), 'retention-chart-cache');
  return target.file === ':memory:' ? null : join(dirname(target.file), 'chart-cache');
}

export class ChartDiskCache {
  private made: Promise<unknown> | null = null;
  private writtenSincePrune = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private file(key: string): string {
    return join(this.dir, `${key}${SUFFIX}`);
  }

  async get(key: string): Promise<Buffer | null> {
    return readFile(this.file(key)).catch(() => null);
  }

  /** The file's size when it is there, and it counts as new again (so the budget keeps it). */
  async keep(key: string): Promise<number | null> {
    const file = this.file(key);
    try {
      const now = new Date();
      await utimes(file, now, now);
      return (await stat(file)).size;
    } catch {
      return null;
    }
  }

  /** Written whole or not at all: a reader in another thread never sees half a PNG. */
  async put(key: string, png: Buffer): Promise<void> {
    try {
      await (this.made ??= mkdir(this.dir, { recursive: true }));
      const tmp = `${this.file(key)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(tmp, png);
      await rename(tmp, this.file(key));
      this.writtenSincePrune += png.length;
      // Pruning lists the folder: once a tenth of the budget has been written, not on every put.
      if (this.writtenSincePrune > this.maxBytes / 10) await this.prune();
    } catch {
      this.made = null; // the folder may have been removed: try to make it again next time
    }
  }

  /** Removes the oldest charts until the rest fit the budget; returns the bytes kept. */
  async prune(): Promise<number> {
    this.writtenSincePrune = 0;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const files = (
      await Promise.all(
        names.map(async (name) => {
          const path = join(this.dir, name);
          const s = await stat(path).catch(() => null);
          return s?.isFile() ? { path, size: s.size, at: s.mtimeMs, done: name.endsWith(SUFFIX) } : null;
        }),
      )
    ).filter((f) => f !== null);
    // A temporary file older than a minute belongs to a writer that died.
    const stale = files.filter((f) => !f.done && f.at < Date.now() - 60_000);
    let total = 0;
    const doomed = [...stale];
    for (const f of files.filter((f) => f.done).sort((a, b) => b.at - a.at)) {
      if (total + f.size <= this.maxBytes) total += f.size;
      else doomed.push(f);
    }
    await Promise.all(doomed.map((f) => rm(f.path, { force: true }).catch(() => undefined)));
    return total;
  }
}
