/** A real app on a temp SQLite file, trained on a data directory with a fast model search. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { buildApp, type App } from '../../src/app/app.ts';
import { createLogger } from '../../src/logger.ts';
import { DEMO_DIR } from './realData.ts';

export { DEMO_DIR };

export interface Fixture {
  app: App;
  dir: string;
  logs: string[];
  dispose(): Promise<void>;
}

export async function trainedApp(
  /** `now`: the campaign's clock (weeks, call times, cooldown). */
  opts: { dataDir?: string; env?: Record<string, string>; families?: string[]; searchRows?: number; now?: () => Date } = {},
): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'retention-test-'));
  const logs: string[] = [];
  const config = loadConfig({
    RETENTION_DB: join(dir, 'retention.db'),
    CHART_OUT_DIR: join(dir, 'charts'),
    ...opts.env,
  });
  const app = await buildApp(config, createLogger((l) => logs.push(l)), { now: opts.now });
  await app.assistant.ingestDir(opts.dataDir ?? DEMO_DIR);
  await app.assistant.train({ families: opts.families ?? ['logistic'], folds: 3, repeats: 1, ...(opts.searchRows ? { searchRows: opts.searchRows } : {}) });
  return {
    app,
    dir,
    logs,
    dispose: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Ids of the customers the active model serves, ascending. Tests pick customers from here rather
 * than hard-coding ids, which differ between the demo set and the real export.
 */
export async function servedIds(app: App): Promise<number[]> {
  const version = (await app.assistant.modelInfo()).model.datasetVersion;
  return (await app.store.datasets.customers(version))
    .map((c) => c.id)
    .sort((a, b) => a - b);
}
