/**
 * The chart cache's key: a chart's size and data under a salt of everything else its pixels depend
 * on — the chart code (the builders, plugins and theme, and this folder's renderer) and the
 * versions of Chart.js and the canvas. Charts on disk outlive the process, so a release that
 * draws differently must not be served yesterday's pictures. The salt is read once per thread.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChartConfig, ChartSize } from '../../features/charts/types.ts';
import { chartSource } from './source.ts';

const CODE_DIRS = ['../../features/charts/', './'].map((d) => fileURLToPath(new URL(d, import.meta.url)));
const LIBRARIES = ['chart.js', '@napi-rs/canvas'];

/** A package's version from its package.json, which chart.js does not export: found above its entry file. */
function versionOf(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (dir !== dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '';
    }
    dir = dirname(dir);
  }
  return '';
}

let salt: string | null = null;
function renderingSalt(): string {
  if (salt !== null) return salt;
  const h = createHash('sha1');
  for (const dir of CODE_DIRS) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) h.update(f).update(readFileSync(join(dir, f)));
  }
  for (const lib of LIBRARIES) h.update(`${lib}@${versionOf(lib)}`);
  return (salt = h.digest('base64url'));
}

/** base64url: the key is also the chart's file name on disk. */
export function chartKey(config: ChartConfig, size: ChartSize): string {
  return createHash('sha1')
    .update(`${renderingSalt()}\n${size.width}x${size.height}\n${chartSource(config, { functions: 'names' })}`)
    .digest('base64url');
}
