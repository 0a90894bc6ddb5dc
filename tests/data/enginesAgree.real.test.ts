/**
 * The same answers on either engine: the real export trained with the same seed on SQLite and on
 * PostgreSQL gives every customer the same probability, base and drivers, and the same segments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedApp, servedIds, type Fixture } from '../support/appFixture.ts';
import { hasPostgres, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { hasRealData, realDir } from '../support/realData.ts';

describe.skipIf(!hasRealData || !hasPostgres)('SQLite and PostgreSQL on the real export', () => {
  let cluster: TestPostgres;
  let lite: Fixture;
  let pg: Fixture;

  beforeAll(async () => {
    cluster = await startPostgres();
    const url = await cluster.createDatabase();
    // Trained one after the other: the same seed and search on a quiet machine, not racing for cores.
    lite = await trainedApp({ dataDir: realDir(), families: ['logistic', 'knn'] });
    pg = await trainedApp({ dataDir: realDir(), families: ['logistic', 'knn'], env: { RETENTION_DB: url } });
  }, 300_000);
  afterAll(async () => {
    await lite?.dispose();
    await pg?.dispose();
    await cluster?.stop();
  });

  it('both store the same model, and /risk gives every customer the same probability, base and drivers', async () => {
    const [a, b] = [await lite.app.assistant.modelInfo(), await pg.app.assistant.modelInfo()];
    expect(b.model.family).toBe(a.model.family);
    expect(b.model.cvAuc).toBe(a.model.cvAuc);
    const ids = await servedIds(lite.app);
    expect(await servedIds(pg.app)).toEqual(ids);
    expect(ids.length).toBeGreaterThan(1000);
    for (const id of ids) {
      const [x, y] = await Promise.all([lite.app.assistant.risk(id), pg.app.assistant.risk(id)]);
      expect([id, y.probability, y.baseRate, y.band, y.offer]).toEqual([id, x.probability, x.baseRate, x.band, x.offer]);
      expect(y.drivers).toEqual(x.drivers);
      expect(y.contributions).toEqual(x.contributions);
    }
  });

  it('and the same segments, in the same order', async () => {
    const [a, b] = [await lite.app.assistant.segments({ members: 50 }), await pg.app.assistant.segments({ members: 50 })];
    expect(b).toEqual(a);
  });
});
