/**
 * The campaign's words and pictures without a transport: results that are never a bare number
 * below the minimum group size, the digest line, the chart spec, status words, the console's
 * rendering of buttons and edits, and a fresh store that has no model yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildApp } from '../../src/app/app.ts';
import { composeDigest } from '../../src/app/digest.ts';
import { periodFromKey } from '../../src/core/digest/period.ts';
import { loadConfig } from '../../src/config.ts';
import { compareArms, type CampaignResults, type Outcome, type WeekResult } from '../../src/core/campaign/index.ts';
import { renderReply } from '../../src/console/console.ts';
import { CONSOLE_USER } from '../../src/features/feature.ts';
import { campaignDeclineChart } from '../../src/features/charts/specs.ts';
import { chartedWeek } from '../../src/features/campaign.ts';
import { parseStatus } from '../../src/features/outreach.ts';
import { createLogger } from '../../src/logger.ts';
import { CAMPAIGN, CHAT, DEFAULT_UNITS } from '../../src/messages.ts';
import { trainedApp, type Fixture } from '../support/appFixture.ts';

const outcomes = (n: number, declined: number): Outcome[] => Array.from({ length: n }, (_, i) => ({ declined: i < declined, revenueChange: 0 }));

function week(key: string, treated: [number, number], control: [number, number]): WeekResult {
  const overall = compareArms('all', outcomes(...treated), outcomes(...control));
  const cart = compareArms('cart', outcomes(...treated), outcomes(...control));
  return {
    week: key,
    datasetVersion: 1,
    outcomeVersion: 2,
    overall,
    offers: [cart, compareArms('promo', outcomes(10, 5), outcomes(3, 3))],
    reached: { overall: compareArms('all', outcomes(12, 3), outcomes(...control)), offers: [] },
    unmeasured: 0,
  };
}

/** Every percentage or percentage-point figure in a text. */
const figures = (s: string) => s.match(/\d+(,\d+)?\s?(%|п\.п\.)/g) ?? [];

describe('/campaign wording', () => {
  it('below 30 in a group says it is too early and prints no rate, uplift or interval', async () => {
    const r: CampaignResults = { campaigns: [week('2026-W48', [30, 12], [4, 3])], pending: [] };
    const text = CAMPAIGN.results(r, { weeks: 4, units: DEFAULT_UNITS });
    expect(text).toMatch(/в плане 30 клиентов, в контроле 4 клиента/i);
    expect(text).toMatch(/Вывод делать рано: нужно хотя бы 30 клиентов в каждой группе/);
    expect(figures(text)).toEqual([]);
    expect(CAMPAIGN.digestLine(r.campaigns[0])).toMatch(/вывод делать рано/);
    expect(figures(CAMPAIGN.digestLine(r.campaigns[0]))).toEqual([]);
    expect(chartedWeek(r)).toBeNull();
  });

  it('a conclusive week gives both decline rates, the uplift with its 95% interval, and a verdict', async () => {
    const w = week('2026-W48', [80, 28], [70, 45]);
    const text = CAMPAIGN.results({ campaigns: [w], pending: ['2026-W49'] }, { weeks: 4, units: DEFAULT_UNITS });
    expect(text).toMatch(/Снизили покупки: 35% из плана против 64% в контроле/);
    expect(text).toMatch(/на 29 п\.п\. реже \(95% интервал: от \d+ до \d+ п\.п\.\) — звонки помогают/);
    // The small promo row stays without numbers even in a conclusive week.
    expect(text).toMatch(/Охотники за акциями: в плане 10, в контроле 3 — пока мало для вывода/);
    expect(text).toMatch(/Ждут данных следующего периода: неделя 30 ноября – 6 декабря 2026/);
    expect(CAMPAIGN.digestLine(w)).toMatch(/35% против 64% в контроле — на 29 п\.п\. реже/);
  });

  it('an interval across zero is called possibly chance, with signed bounds', async () => {
    const text = CAMPAIGN.results({ campaigns: [week('2026-W48', [60, 30], [60, 33])], pending: [] }, { weeks: 4, units: DEFAULT_UNITS });
    expect(text).toMatch(/от −\d+ до \+\d+ п\.п\., ноль внутри\) — разница может быть случайной/);
  });

  it('the chart shows the latest conclusive week, faded and unlabelled where a group is small', async () => {
    const r: CampaignResults = { campaigns: [week('2026-W47', [80, 28], [70, 45]), week('2026-W48', [30, 12], [4, 3])], pending: [] };
    const w = chartedWeek(r)!;
    expect(w.week).toBe('2026-W47');
    const config = campaignDeclineChart(w);
    const [treated, control] = config.data.datasets;
    const labels = (config.data.labels as string[][]).map((l) => l.join(' '));
    expect(labels).toEqual(['Все', 'Чемпионы по бросанию корзин', 'Охотники за акциями (мало данных)']);
    expect(treated.data).toEqual([35, 35, 50]);
    expect(treated.whiskerLabels).toEqual(['35%', '35%', null]);
    expect(control.whiskerLabels).toEqual(['64%', '64%', null]);
    const [low, high] = treated.errorBars![0]!;
    expect(low).toBeLessThan(35);
    expect(high).toBeGreaterThan(35);
  });
});

describe('status words and the console', () => {
  it('understands the statuses in English and Russian, and nothing else', async () => {
    expect(parseStatus('offered')).toBe('offered');
    expect(parseStatus('Предложил')).toBe('offered');
    expect(parseStatus('не дозвонился')).toBe('no_answer');
    expect(parseStatus('нет ответа')).toBe('no_answer');
    expect(parseStatus('отказ')).toBe('declined');
    expect(parseStatus('может быть')).toBeNull();
  });

  it('shows an edit as a new, marked message and buttons as the commands or links they stand for', async () => {
    const out = renderReply(
      {
        type: 'edit',
        text: 'план',
        buttons: [
          [{ text: '1 · Предложил', data: { kind: 'outreach', week: '2026-W48', id: 101281, status: 'offered', page: 1 } }],
          [{ text: 'Дальше ▶', data: { kind: 'plan', week: '2026-W48', page: 2 } }],
          [{ text: '🔗 Открыть в CRM', url: 'https://crm.example.ru/c/101281' }],
        ],
      },
      '/tmp',
      1,
    );
    expect(out.split('\n')).toEqual([
      CAMPAIGN.consoleEdited,
      'план',
      '  [1 · Предложил] → /contact 101281 предложил',
      '  [Дальше ▶] → /plan 2',
      '  [🔗 Открыть в CRM] → https://crm.example.ru/c/101281',
    ]);
    // The command the console shows does what the button does.
    expect(parseStatus(CAMPAIGN.statusWord.no_answer)).toBe('no_answer');
  });
});

describe('before any model', () => {
  const app = () => buildApp(loadConfig({ RETENTION_DB: ':memory:' }), createLogger(() => undefined));

  it('/plan and /export plan say the model is not trained yet; /campaign and /contact answer plainly', async () => {
    const a = await app();
    try {
      const answer = async (t: string) => (await a.dialogue.handleText(CONSOLE_USER, t)).map((r) => (r.type === 'text' ? r.text : r.type));
      expect(await answer('/plan')).toEqual([CHAT.noModel]);
      expect(await answer('/export plan')).toEqual([CHAT.noModel]);
      expect((await answer('/campaign'))[0]).toMatch(/Кампаний ещё не было/);
      expect((await answer('/contact 100001 предложил'))[0]).toMatch(/Плана звонков на неделю .* нет — отметку не записал/);
      expect((await answer('/contact 100001 может'))[0]).toMatch(/Напишите так: \/contact ID статус/);
    } finally {
      await a.close();
    }
  });
});

describe('with a trained app', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await trainedApp();
  });
  afterAll(async () => await fx?.dispose());

  it('the Excel export is a typed sheet: percent probability, numbers as numbers, frozen header and autofilter', async () => {
    const [doc] = await fx.app.dialogue.handleText(CONSOLE_USER, '/export cart');
    expect(doc).toMatchObject({ type: 'document', fileName: 'segment-cart.xlsx' });
    if (doc.type !== 'document') return;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(doc.content as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(Object.values(CAMPAIGN.table(DEFAULT_UNITS).headers));
    const seg = await fx.app.assistant.segment('cart', { members: 'all' });
    expect(ws.rowCount).toBe(seg.size + 1);
    expect(ws.getCell('A2').value).toBe(seg.members[0].customer.id);
    expect(typeof ws.getCell('C2').value).toBe('number');
    expect(ws.getCell('C2').numFmt).toBe('0.0%');
    expect(typeof ws.getCell('I2').value).toBe('number');
    expect(ws.getCell('J2').value).toBe('не звонили');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    const losses = seg.members.map((m) => m.priority);
    expect([...losses].sort((x, y) => y - x)).toEqual(losses);
  });

  it('the digest names the top customers’ contacts and adds one line with the latest campaign result', async () => {
    const top = (await fx.app.assistant.segment('at-risk')).members[0].customer.id;
    await fx.app.store.contacts.upsert([{ id: top, name: 'Анна Смирнова', phone: '+7 912 000-00-01', email: null, extra: {} }], 'test');
    const measured = week('2026-W48', [80, 28], [70, 45]);
    const app = { ...fx.app, campaign: { ...fx.app.campaign, results: async () => ({ campaigns: [measured], pending: [] }) } };
    const { composed } = await composeDigest(app, periodFromKey('2026-W49'));
    const [body, , csv] = composed.parts;
    expect(body.type === 'text' && body.text).toContain(`📇 Контакты первых в списке:\n${top} — Анна Смирнова, +7 912 000-00-01`);
    expect(body.type === 'text' && body.text.split('\n').filter((l) => l.startsWith('📊 Кампания'))).toEqual([CAMPAIGN.digestLine(measured)]);
    expect(body.type === 'text' && body.text.trim().split('\n').at(-1)).toMatch(/Отписаться: \/unsubscribe/);
    const lines = csv.type === 'document' ? csv.content.toString('utf8').split('\r\n') : [];
    expect(lines[0]).toMatch(/,контакты$/);
    expect(lines.find((l) => l.startsWith(`${top},`))).toMatch(/,"?Анна Смирнова, \+7 912 000-00-01"?$/);
  });
});
