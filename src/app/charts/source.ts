/**
 * A chart config as JavaScript source and back. Configs carry tiny inline plugins (functions), so
 * they cannot be structured-cloned into a worker; as source they travel like they travel to
 * QuickChart, and the same text is the chart cache's key.
 */
import { stringify } from 'javascript-stringify';
import type { ChartConfig } from '../../features/charts/types.ts';

export function chartSource(config: ChartConfig): string {
  const source = stringify(config);
  if (source === undefined) throw new TypeError('chart config cannot be written as source');
  return source;
}

/**
 * Evaluates chartSource output. Only ever given text this process or its parent produced from its
 * own chart specs. tsx compiles with esbuild `keepNames`, which may leave `__name(fn, "fn")` calls
 * in function source: the scope defines `__name` as the identity.
 */
export function chartFromSource(source: string): ChartConfig {
  return new Function('__name', `"use strict"; return (${source});`)((f: unknown) => f) as ChartConfig;
}
