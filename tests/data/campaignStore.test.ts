/** The campaign tables' place in the SQLite migrations; the repository itself is in storeContract.test.ts. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, openStore, schemaVersion, type SqliteStore } from '../../src/data/index.ts';

let store: SqliteStore;

beforeEach(() => {
  store = openStore(':memory:');
});
afterEach(() => store.close());

describe('SQLite campaign repository', () => {
  it('is migration 4 of the schema, and a fresh store is migrated to the latest', async () => {
    expect(MIGRATIONS[3]).toMatchObject({ version: 4, name: expect.stringMatching(/^campaign/) });
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
  });
});
