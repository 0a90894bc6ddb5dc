/**
 * A running bot draws each week's call list itself, so no manager's /risk pays for the draw
 * (about half a second at a million customers): at warm-up, and when a new week begins.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app/app.ts';
import { createLogger } from '../../src/logger.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await trainedApp();
});
afterAll(() => fx?.dispose());

describe('the week plan of a running bot', () => {
  it('is stored by warm-up before anybody asks, and the next week’s by the periodic check', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: new Date('2026-11-23T06:00:00Z') });
    const app = await buildApp(fx.app.config, createLogger(() => undefined), { now: () => new Date() });
    try {
      expect(await app.store.campaigns.plan('2026-W48')).toBeNull();
      await app.warm();
      expect(await app.store.campaigns.plan('2026-W48')).not.toBeNull();
      expect(await app.store.campaigns.plan('2026-W49')).toBeNull();
      vi.setSystemTime(new Date('2026-11-30T06:00:00Z'));
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      await vi.waitFor(async () => expect(await app.store.campaigns.plan('2026-W49')).not.toBeNull());
    } finally {
      vi.useRealTimers();
      await app.close();
    }
  });
});
