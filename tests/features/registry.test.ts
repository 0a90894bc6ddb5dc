import { describe, expect, it } from 'vitest';
import { createDialogue } from '../../src/features/dialogue.ts';
import { createFeatures, type FeatureDeps } from '../../src/features/registry.ts';
import { DEFAULT_UNITS, fmtDateTime } from '../../src/messages.ts';
import { openStore } from '../../src/data/sqlite/store.ts';

/** The list wired with services that must not be reached: building it may not touch the core. */
function features() {
  const store = openStore(':memory:');
  const untouched = new Proxy({}, { get: (_t, key) => () => { throw new Error(`core reached: ${String(key)}`); } });
  const deps: FeatureDeps = {
    assistant: untouched as FeatureDeps['assistant'],
    charts: { render: async () => Buffer.alloc(0) },
    thresholds: { medium: 0.4, high: 0.7 },
    subscribers: store.subscribers,
    nextDigest: () => null,
    timeZone: 'Europe/Moscow',
    upload: { fileNames: ['a.csv'], timeoutMinutes: 30, maxFileMb: 20 },
    units: DEFAULT_UNITS,
    campaign: untouched as FeatureDeps['campaign'],
    spreadsheets: untouched as FeatureDeps['spreadsheets'],
  };
  return createFeatures(deps);
}

describe('the feature list', () => {
  it('is what the menu shows, with names Telegram accepts as commands', async () => {
    const list = features();
    const menu = createDialogue({ features: list, exampleId: async () => null }).menu();
    expect(menu.map((m) => m.command)).toEqual(list.map((f) => f.command));
    for (const item of menu) {
      expect(item.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(item.description.length).toBeGreaterThan(2);
      expect(item.description.length).toBeLessThanOrEqual(256);
    }
    expect(new Set(menu.map((m) => m.command)).size).toBe(menu.length);
  });

  it('refuses admin-only commands to other users without running them', async () => {
    const dialogue = createDialogue({ features: features(), exampleId: async () => null });
    const [reply] = await dialogue.handleText({ chatId: 5, userId: 5, isAdmin: false }, '/upload');
    expect(reply).toMatchObject({ type: 'text', text: expect.stringMatching(/только администратор/) });
    const [admin] = await dialogue.handleText({ chatId: 5, userId: 5, isAdmin: true }, '/upload');
    expect(admin).toMatchObject({ type: 'text', text: expect.stringMatching(/a\.csv/) });
  });
});

describe('dates and times', () => {
  it('are shown in the configured zone, named when it is not Moscow', async () => {
    const at = '2026-11-30T06:00:00Z';
    expect(fmtDateTime(at, 'Europe/Moscow')).toBe('30.11.2026, 09:00 МСК');
    const berlin = fmtDateTime(at, 'Europe/Berlin');
    expect(berlin).toMatch(/^30\.11\.2026, 07:00 /);
    expect(berlin).not.toContain('МСК');
  });
});
