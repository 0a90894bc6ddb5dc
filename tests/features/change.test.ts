/**
 * What changed since the previous data set, as a manager sees it: /risk says «было …, стало …»,
 * the digest names the customers newly at high risk with their reason, and the post-upload alert
 * counts the high-profit customers who entered the high-risk band. The second data set is the demo
 * one with some customers' pages per visit changed, written to a temp dir.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDigest, digestRunner } from '../../src/app/digest.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import { highRiskEntrants } from '../../src/core/entrants.ts';
import type { Answer } from '../../src/core/reply.ts';
import { highRiskAlert } from '../../src/features/alerts.ts';
import { fmtProbability } from '../../src/messages.ts';
import { DEMO_DIR, trainedApp, type Fixture } from '../support/appFixture.ts';

const admin = { chatId: 7, userId: 7, isAdmin: true };
const texts = (r: readonly Answer[]) => r.filter((x) => x.type === 'text').map((x) => (x as { text: string }).text);

let fx: Fixture;
let tmp: string;
let v1: number;
let v2: number;
let week2Text: string;

/** The demo files with pages per visit set to 1 for the first 300 customers and 18 for the next 300. */
function secondVersion(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(DEMO_DIR).filter((f) => f.endsWith('.csv'))) {
    const text = readFileSync(join(DEMO_DIR, file), 'utf8');
    if (file !== 'market_file.csv') {
      writeFileSync(join(dir, file), text);
      continue;
    }
    const [header, ...rows] = text.split(/\r?\n/).filter(Boolean);
    const changed = rows.map((r, i) => {
      if (i >= 600) return r;
      const cells = r.split(',');
      cells[cells.length - 1] = i < 300 ? '1' : '18';
      return cells.join(',');
    });
    writeFileSync(join(dir, file), `${[header, ...changed].join('\n')}\n`);
  }
}

beforeAll(async () => {
  fx = await trainedApp();
  tmp = mkdtempSync(join(tmpdir(), 'change-'));
  v1 = (await fx.app.assistant.modelInfo()).model.version;
  // Records each week's digest without sending it anywhere.
  const record = digestRunner(fx.app, { send: async () => undefined }, { mayReceive: async () => true });
  await record.deliver(periodFromKey('2026-W47'), { trigger: 'schedule' });
  secondVersion(join(tmp, 'v2'));
  await fx.app.assistant.ingestDir(join(tmp, 'v2'));
  v2 = (await fx.app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 })).model.version;
  const week2 = await composeDigest(fx.app, periodFromKey('2026-W48'));
  const part = week2.composed.parts[0];
  week2Text = part.type === 'text' ? part.text : '';
});
afterAll(async () => {
  await fx?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The customer whose risk rose most from below the high band into it. */
async function riser(): Promise<number> {
  const high = fx.app.config.risk.high;
  const before = new Map((await fx.app.store.models.scores(v1)).map((s) => [s.id, s.probability]));
  const rise = (x: { id: number; probability: number }) => x.probability - (before.get(x.id) ?? 1);
  const risen = (await fx.app.store.models.scores(v2))
    .filter((x) => (before.get(x.id) ?? 1) < high && x.probability > high)
    .sort((a, b) => rise(b) - rise(a));
  if (!risen.length) throw new Error('the second data set raised nobody’s risk');
  return risen[0].id;
}

describe('change since the previous data set', () => {
  it('/risk shows the earlier model’s probability and the direction of the change', async () => {
    const id = (await riser());
    const before = (await fx.app.store.models.score(v1, id))!;
    const r = await fx.app.assistant.risk(id);
    expect(r.previous).toEqual({ probability: before, modelVersion: v1, datasetVersion: 1 });
    const [t] = texts(await fx.app.dialogue.handleText(admin, `/risk ${id}`));
    expect(t.split('\n')[1]).toBe(`Было ${fmtProbability(before)} (данные v1), стало ${fmtProbability(r.probability)} ▲`);
  });

  it('lists the high-profit customers who entered the high-risk band, by expected loss', async () => {
    const high = fx.app.config.risk.high;
    const entrants = await highRiskEntrants(fx.app.store, v1, v2, fx.app.config.risk, 1000);
    const q75 = ((await fx.app.store.models.meta(v2))!.metrics as { segmentCutoffs: { profitQ75: number } }).segmentCutoffs.profitQ75;
    const before = new Map((await fx.app.store.models.scores(v1)).map((s) => [s.id, s.probability]));
    const risen = (await fx.app.store.models.scores(v2)).filter((s) => s.probability > high && (before.get(s.id) ?? 1) <= high);
    const expected = (await Promise.all(risen.map(async (s) => ({ ...s, profit: (await fx.app.store.datasets.customer(2, s.id))!.profit }))))
      .filter((s) => s.profit >= q75)
      .sort((a, b) => b.probability * b.profit - a.probability * a.profit)
      .map((s) => s.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(entrants.count).toBe(expected.length);
    expect(entrants.top.map((e) => e.id)).toEqual(expected);
    for (const e of entrants.top) expect(e.previous).toBe(before.get(e.id));
    expect((await highRiskEntrants(fx.app.store, v2, v2, fx.app.config.risk)).count).toBe(0);
  });

  it('the alert after an upload is one short message with the top 3 and a button to the list', async () => {
    const entrants = await highRiskEntrants(fx.app.store, v1, v2, fx.app.config.risk);
    const [alert, ...rest] = highRiskAlert(entrants, fx.app.config.units);
    expect(rest).toEqual([]);
    if (alert.type !== 'text') throw new Error('not a text');
    const lines = alert.text.split('\n');
    expect(lines[0]).toMatch(/^⚠️ После обновления данных \d[\d\s]* клиент(а|ов)? с высокой прибылью переш(ёл|ли) в зону высокого риска\.$/);
    expect(lines.filter((l) => /^\d\. \d+ — было \d+%, стало (\d+%|более 99%); потеря [\d,]+\sтыс\.\s₽ в месяц$/.test(l))).toHaveLength(3);
    expect(alert.buttons?.flat().map((b) => b.data)).toEqual([{ kind: 'segment', code: 'profitable' }]);
    expect(highRiskAlert({ count: 0, top: [] }, fx.app.config.units)).toEqual([]);
  });

  it('the digest names the customers newly at high risk with their main reason', async () => {
    const start = week2Text.indexOf('🆕 Впервые в зоне высокого риска');
    expect(start).toBeGreaterThan(0);
    const section = week2Text.slice(start).split('\n\n')[0].split('\n');
    const named = section.filter((l) => l.startsWith('• '));
    expect(named.length).toBeGreaterThan(0);
    expect(named.length).toBeLessThanOrEqual(5);
    for (const line of named) expect(line).toMatch(/^• \d+ — риск (\d+%|более 99%), потеря [\d,]+\sтыс\.\s₽; почему: .+\(в среднем .+\)$/);
  });

  it('a model of the first data set has nothing earlier to compare with', async () => {
    await fx.app.assistant.useModel(v1);
    try {
      expect((await fx.app.assistant.risk((await riser()))).previous).toBeNull();
    } finally {
      await fx.app.assistant.useModel(v2);
    }
  });
});
