/** A trained SQLite store on a synthetic data set, trained once per file and copied per test. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActiveModel } from '../../src/core/activeModel.ts';
import type { CampaignDeps, CampaignSettings } from '../../src/core/campaign/index.ts';
import { trainModel } from '../../src/core/training.ts';
import { openStore, readDatasetDir, synthesize, type SqliteStore } from '../../src/data/index.ts';

export const SETTINGS: CampaignSettings = {
  capacity: 30,
  controlShare: 0.1,
  cooldownDays: 28,
  seed: 42,
  timezone: 'Europe/Moscow',
  risk: { medium: 0.4, high: 0.7 },
  promoShare: 0.5,
};

export interface TrainedSet {
  root: string;
  /** The synthetic data set's directory (period 1). */
  dataDir: string;
  /** A fresh store holding the trained data set; each call is an independent copy. */
  open(): SqliteStore;
  dispose(): Promise<void>;
}

export async function trainedSet(customers: number, seed: number): Promise<TrainedSet> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'retention-campaign-'));
  const dataDir = path.join(root, 'period-1');
  await synthesize({ customers, seed, outDir: dataDir });
  const master = path.join(root, 'master.db');
  const store = openStore(master);
  await store.datasets.create(await readDatasetDir(dataDir), dataDir);
  await trainModel(store, {
    seed: 1,
    families: ['logistic'],
    folds: 3,
    repeats: 1,
    segments: { highRisk: SETTINGS.risk.high, mediumRisk: SETTINGS.risk.medium, promoShare: SETTINGS.promoShare },
  });
  await store.close();
  let copies = 0;
  const opened: SqliteStore[] = [];
  return {
    root,
    dataDir,
    open() {
      const file = path.join(root, `copy-${copies++}.db`);
      copyFileSync(master, file);
      const s = openStore(file);
      opened.push(s);
      return s;
    },
    async dispose() {
      for (const s of opened) if (s.db.open) await s.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Campaign deps over a store, with a settable clock. */
export function campaignDeps(store: SqliteStore, clock: { now: Date }, settings: Partial<CampaignSettings> = {}): CampaignDeps {
  return { store, model: new ActiveModel(store), settings: { ...SETTINGS, ...settings }, now: () => clock.now };
}
