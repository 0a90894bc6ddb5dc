/**
 * A chart config as JavaScript source and back. Configs carry tiny inline plugins (functions), so
 * they cannot be structured-cloned into a worker; as source they travel like they travel to
 * QuickChart, and the same text is the chart cache's key. JSON with the functions' own source
 * spliced in: ten times faster than a general serializer, and configs hold nothing but plain
 * data and those hooks.
 */
import type { ChartConfig } from '../../features/charts/types.ts';

const MARK = '\u0000fn:';

/** `beforeDraw(chart) {…}` (method shorthand) is not an expression: make it `function beforeDraw(chart) {…}`. */
function functionExpression(fn: (...a: never[]) => unknown): string {
  const src = fn.toString();
  if (/^(async\s+)?function\b/.test(src) || /^(async\s*)?(\([^)]*\)|[\w$]+)\s*=>/.test(src)) return src;
  const method = /^(async\s+)?(.*)$/s.exec(src)!;
  return `${method[1] ?? ''}function ${method[2]}`;
}

/**
 * With `functions: 'names'`, a function is written as its name only: what the chart cache keys on,
 * since two loaders of the same module (tsx in a worker, another transform in tests) may write one
 * function's source differently. The chart code itself is in the key's salt (cacheKey.ts).
 */
export function chartSource(config: ChartConfig, opts: { functions?: 'source' | 'names' } = {}): string {
  const fns: string[] = [];
  const names = opts.functions === 'names';
  const json = JSON.stringify(config, (_k, v: unknown) => {
    if (typeof v === 'function') return names ? `fn:${(v as () => unknown).name}` : `${MARK}${fns.push(functionExpression(v as () => unknown)) - 1}`;
    if (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array) return Array.from(v);
    return v;
  });
  if (json === undefined) throw new TypeError('chart config cannot be written as source');
  return fns.length ? json.replace(/"\\u0000fn:(\d+)"/g, (_m, i: string) => fns[Number(i)]) : json;
}

/**
 * Evaluates chartSource output. Only ever given text this process or its parent produced from its
 * own chart specs. tsx compiles with esbuild `keepNames`, which may leave `__name(fn, "fn")` calls
 * in function source: the scope defines `__name` as the identity.
 */
export function chartFromSource(source: string): ChartConfig {
  return new Function('__name', `"use strict"; return (${source});`)((f: unknown) => f) as ChartConfig;
}
