/**
 * DejaVu Sans is registered from the dejavu-fonts-ttf package, not taken from the system, so
 * Cyrillic renders the same on a bare container as on a developer's laptop.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { FONT_NAME } from '../../features/charts/theme.ts';

let registered = false;

/** Registers DejaVu Sans (regular and bold) with @napi-rs/canvas once per process. */
export function registerChartFonts(): void {
  if (registered) return;
  const require = createRequire(import.meta.url);
  const ttfDir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
    const path = join(ttfDir, file);
    if (!GlobalFonts.registerFromPath(path, FONT_NAME)) {
      throw new Error(`cannot register chart font ${path}`);
    }
  }
  registered = true;
}
