import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/** `npm run test:reliability`: every reliability test, including the slow crash and load suite `npm test` leaves out. */
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../..'),
    include: ['tests/reliability/**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['tests/support/realDataNotice.ts'],
    fileParallelism: false,
  },
});
