/**
 * The digest as a manager reads it, on the demo data set and on a second version of it: what it
 * says, and that «new at risk / no longer at risk» matches the two models' stored scores.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_LIMIT } from '../../src/bot/limits.ts';
import { fmtProbability } from '../../src/messages.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import type { DigestView } from '../../src/core/digest/view.ts';
import { composeDigest, digestRunner } from '../../src/app/digest.ts';
import { DEMO_DIR, trainedApp, type Fixture } from '../support/appFixture.ts';

const W47 = periodFromKey('2026-W47');
const W48 = periodFromKey('2026-W48');

let fx: Fixture;
let tmp: string;
let atRiskV1: Set<number>;
let atRiskV2: Set<number>;
let week1: Awaited<ReturnType<typeof composeDigest>>;
let week2: Awaited<ReturnType<typeof composeDigest>>;

/**
 * The demo files with some customers changed (fewer pages per visit for the first 200, more for the
 * next 200) and ten customers gone, written to a temp dir: never into the repository.
 */
function secondVersion(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const gone = new Set<string>();
  const market = readFileSync(join(DEMO_DIR, 'market_file.csv'), 'utf8').split(/\r?\n/);
  const rows = market.slice(1).filter(Boolean);
  rows.slice(-10).forEach((r) => gone.add(r.split(',')[0]));
  const changed = rows.slice(0, 400).map((r, i) => {
    const cells = r.split(',');
    cells[cells.length - 1] = i < 200 ? '1' : '18';
    return cells.join(',');
  });
  writeFileSync(join(dir, 'market_file.csv'), [market[0], ...changed, ...rows.slice(400, -10)].join('\n') + '\n');
  for (const file of readdirSync(DEMO_DIR).filter((f) => f !== 'market_file.csv')) {
    const lines = readFileSync(join(DEMO_DIR, file), 'utf8').split(/\r?\n/).filter(Boolean);
    const kept = [lines[0], ...lines.slice(1).filter((l) => !gone.has(l.split(/[,;]/)[0]))];
    writeFileSync(join(dir, file), kept.join('\n') + '\n');
  }
}

const highRisk = async (modelVersion: number) =>
  new Set(
    (await fx.app.store.models.scores(modelVersion))
      .filter((s) => s.probability > fx.app.config.risk.high)
      .map((s) => s.id),
  );

const textOf = (d: typeof week1) => {
  const part = d.composed.parts[0];
  if (part.type !== 'text') throw new Error('the first part is not the text');
  return part.text;
};

beforeAll(async () => {
  fx = await trainedApp({ dataDir: DEMO_DIR });
  tmp = mkdtempSync(join(tmpdir(), 'digest-v2-'));
  // Records each week's digest without sending it anywhere.
  const record = digestRunner(fx.app, { send: async () => undefined }, { mayReceive: async () => true });

  const v1 = (await fx.app.assistant.modelInfo()).model.version;
  week1 = await composeDigest(fx.app, W47);
  await record.deliver(W47, { trigger: 'schedule' });

  secondVersion(join(tmp, 'v2'));
  await fx.app.assistant.ingestDir(join(tmp, 'v2'));
  await fx.app.assistant.train({ families: ['logistic'], folds: 3, repeats: 1 });
  const v2 = (await fx.app.assistant.modelInfo()).model.version;
  expect(v2).not.toBe(v1);
  week2 = await composeDigest(fx.app, W48);
  atRiskV1 = await highRisk(v1);
  atRiskV2 = await highRisk(v2);
});

afterAll(async () => {
  await fx?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('weekly digest content', () => {
  it('the first digest says there is nothing to compare with yet', async () => {
    expect(week1.view.change).toBeNull();
    expect(textOf(week1)).toMatch(/первая сводка/);
    expect(week1.view.atRisk.count).toBe(atRiskV1.size);
  });

  it('diffs this week against the last digest, on two data set versions', async () => {
    const change = week2.view.change!;
    const added = [...atRiskV2].filter((id) => !atRiskV1.has(id)).sort((a, b) => a - b);
    const removed = [...atRiskV1].filter((id) => !atRiskV2.has(id)).sort((a, b) => a - b);
    expect(added.length).toBeGreaterThan(0);
    expect(removed.length).toBeGreaterThan(0);
    expect(change.since.key).toBe('2026-W47');
    expect(change.added).toEqual(added);
    expect(change.removed).toEqual(removed);
    expect(change.delta).toBe(atRiskV2.size - atRiskV1.size);
    const text = textOf(week2);
    expect(text).toContain(`новых в зоне риска: ${added.length} `);
    expect(text).toContain(`вышли из неё: ${removed.length}`);
    expect(text).toContain('в сводке за 16–22 ноября 2026');
    for (const c of week2.view.top) expect(c.isNew).toBe(!atRiskV1.has(c.id));
  });

  it('lists the ten customers with the largest expected loss, each with a reason and an offer', async () => {
    const view: DigestView = week2.view;
    const bySegment = (await fx.app.assistant.segment('at-risk', { members: 10 })).members;
    expect(view.top.map((c) => c.id)).toEqual(bySegment.map((m) => m.customer.id));
    for (let i = 1; i < view.top.length; i++) expect(view.top[i - 1].priority).toBeGreaterThanOrEqual(view.top[i].priority);
    const text = textOf(week2);
    const lines = text.split('\n');
    for (const [i, c] of view.top.entries()) {
      const at = lines.findIndex((l) => l.startsWith(`${i + 1}. ${c.id}`));
      expect(at).toBeGreaterThan(0);
      expect(lines[at]).toContain(`риск ${fmtProbability(c.probability)}`);
      expect(lines[at + 1]).toMatch(/^ {3}Почему: /);
      expect(lines[at + 2]).toMatch(/^ {3}Что предложить: /);
      // The reason given raises the risk (the strongest driver can be one that lowers it).
      expect(c.driver!.contribution).toBeGreaterThan(0);
    }
  });

  it('fits one Telegram message and tells the period, the model and the stakes', async () => {
    const text = textOf(week2);
    expect(text.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(text).toMatch(/^📬 Сводка по риску снижения покупок: 23–29 ноября 2026\n/);
    expect(text).toContain(`Модель v${week2.view.model.version} `);
    expect(text).toContain(`данные v${week2.view.model.datasetVersion}`);
    expect(text).toMatch(/В зоне высокого риска: [\d\s]+ клиент/);
    expect(text).toMatch(/Ожидаемая потеря прибыли: [\d\s]+тыс\.\s₽ в месяц/);
    for (const s of week2.view.segments) expect(text).toMatch(new RegExp(`— ${s.size.toLocaleString('ru-RU')} клиент\\S*, потеря [\\d\\s,]+тыс\\.\\s₽`));
    expect(text).toMatch(/\/unsubscribe/);
  });

  it('sends the trend over the digests so far and the full list as a formula-safe CSV', async () => {
    expect(week2.view.trend.map((t) => [t.period.key, t.atRisk])).toEqual([
      ['2026-W47', atRiskV1.size],
      ['2026-W48', atRiskV2.size],
    ]);
    const [, photo, doc] = week2.composed.parts;
    expect(photo.type === 'photo' && photo.png.subarray(1, 4).toString()).toBe('PNG');
    if (doc.type !== 'document') throw new Error('the third part is not the CSV');
    expect(doc.fileName).toBe('digest-2026-W48.csv');
    const csv = doc.content.toString('utf8');
    expect(csv.startsWith('\uFEFFid,вероятность,')).toBe(true);
    const rows = csv.trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(atRiskV2.size);
    expect(rows.map((r) => Number(r.split(',')[0]))).toEqual(week2.view.atRisk.customers.map((c) => c.id));
    expect(rows.every((r) => !/(^|,)[=+\-@]/.test(r))).toBe(true);
    expect(rows.filter((r) => r.split(',')[4] === 'да')).toHaveLength(week2.view.change!.added.length);
  });
});
