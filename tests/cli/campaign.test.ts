/**
 * The weekly loop from the command line, as an operator runs it: `retention plan --json`, calls
 * recorded with `retention contact`, contacts imported (and refused, line by line), the list
 * exported for Excel, the next period synthesised from the plan, ingested, and measured with
 * `retention campaign --json`. Each command is a real child process on the fixture's database.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIR, servedIds, trainedApp, type Fixture } from '../support/appFixture.ts';
import { DATASET_FILES } from '../support/datasetFiles.ts';

const BIN = resolve(process.cwd(), 'bin', 'retention.js');
let fx: Fixture;
let tmp: string;

const run = (db: string, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, RETENTION_DB: db }, encoding: 'utf8', timeout: 120_000 });
const cli = (...args: string[]) => run(fx.app.config.dbPath, ...args);
const ok = (...args: string[]) => {
  const r = cli(...args);
  expect(r.status, r.stderr).toBe(0);
  return r;
};

interface PlanJson {
  week: string;
  capacity: number;
  control_share: number;
  held_out: number;
  customers: Record<string, unknown>[];
  control: { id: number; offer: string }[];
}
let plan: PlanJson;

beforeAll(async () => {
  fx = await trainedApp();
  tmp = mkdtempSync(join(tmpdir(), 'retention-cli-campaign-'));
});
afterAll(async () => {
  await fx?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('retention plan, contact, contacts, export, synth, campaign', () => {
  it('a plan asked before any model exists says so and exits 1', async () => {
    const r = run(join(tmp, 'empty.db'), 'plan');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Модель ещё не обучена/);
  });

  it('plan --json: week, capacity, control_share, the list and the control group, each customer once', async () => {
    plan = JSON.parse(ok('plan', '--json').stdout) as PlanJson;
    expect(plan.week).toMatch(/^\d{4}-W\d{2}$/);
    expect(plan).toMatchObject({ capacity: 30, control_share: 0.1 });
    expect(plan.customers).toHaveLength(30);
    for (const c of plan.customers) {
      expect(Object.keys(c).sort()).toEqual(['driver', 'expected_loss', 'id', 'offer', 'probability', 'profit', 'status']);
      expect(c).toMatchObject({ id: expect.any(Number), probability: expect.any(Number), profit: expect.any(Number), expected_loss: expect.any(Number), offer: expect.any(String), status: null });
    }
    const losses = plan.customers.map((c) => c.expected_loss as number);
    expect([...losses].sort((a, b) => b - a)).toEqual(losses);
    expect(plan.control).toHaveLength(plan.held_out);
    expect(plan.control.length).toBeGreaterThan(0);
    const ids = [...plan.customers.map((c) => c.id as number), ...plan.control.map((c) => c.id)];
    expect(new Set(ids).size).toBe(ids.length);
    // The human form is the chat's, and never names the control group.
    const text = ok('plan').stdout;
    expect(text).toMatch(/План звонков на неделю/);
    expect(text).toContain(`30. ${plan.customers[29].id}`);
    for (const c of plan.control) expect(text).not.toContain(String(c.id));
  });

  it('contact records a call, a second call replaces it, and refusals are one clear line with exit 1', async () => {
    const [first] = plan.customers.map((c) => c.id as number);
    expect(ok('contact', String(first), '--status', 'no_answer').stdout).toMatch(new RegExp(`customer ${first}: no_answer; 1 of 30 done`));
    expect(ok('contact', String(first), '--status', 'offered').stdout).toMatch(/offered \(replaced the earlier outcome\); 1 of 30 done/);
    expect(await fx.app.store.campaigns.outreach(plan.week)).toMatchObject([{ customerId: first, status: 'offered', userId: 0 }]);

    const held = cli('contact', String(plan.control[0].id), '--status', 'offered');
    expect(held.status).toBe(1);
    expect(held.stderr.trim()).toBe(`customer ${plan.control[0].id}: the customer is in the control group of week (not to be called) ${plan.week}; nothing recorded`);
    const outsider = (await servedIds(fx.app)).find((id) => !plan.customers.some((c) => c.id === id) && !plan.control.some((c) => c.id === id))!;
    const out = cli('contact', String(outsider), '--status', 'declined');
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(new RegExp(`customer ${outsider}: the customer is not on the list of week ${plan.week}; nothing recorded`));
    const bad = cli('contact', String(first), '--status', 'maybe');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/expected offered, no_answer or declined/);
    expect(await fx.app.store.campaigns.outreach(plan.week)).toHaveLength(1);
  });

  it('contacts: unknown ids are warnings with file:line; duplicate ids and broken phones stop it with file:line, nothing stored', async () => {
    const [a, b] = (await servedIds(fx.app));
    const good = join(tmp, 'good', 'contacts.csv');
    mkdirSync(join(tmp, 'good'));
    writeFileSync(good, `id;имя;телефон;почта\n${a};Анна Смирнова;+7 912 000-00-01;anna@example.ru\n999;Чужой;+7 912 000-00-09;\n${b};Борис;;\n`);
    const r = ok('contacts', join(tmp, 'good'));
    expect(r.stdout).toMatch(/contacts stored for 2 customers, 1 rows ignored \(unknown ids\); 2 customers have contacts/);
    expect(r.stderr.trim()).toBe('contacts.csv:3: клиента 999 нет в данных — строка пропущена');

    const broken = join(tmp, 'contacts.csv');
    writeFileSync(broken, `id,name,phone\n${a},Анна,+79120000001\n${a},Анна,+79120000001\n${b},Борис,12-34\n`);
    const e = cli('contacts', broken);
    expect(e.status).toBe(2);
    expect(e.stdout).toBe('');
    const lines = e.stderr.trim().split('\n');
    expect(lines).toContain(`contacts.csv:3: клиент ${a} уже встречался в строке 2`);
    expect(lines.some((l) => l.startsWith('contacts.csv:4: «12-34» — не похоже на номер телефона'))).toBe(true);
    for (const l of lines) expect(l).toMatch(/^contacts\.csv:\d+: \S/);
    expect(await fx.app.store.contacts.get(b)).toMatchObject({ name: 'Борис', phone: null });
  });

  it('export plan writes a typed .xlsx, and CSV for Russian Excel on request', async () => {
    const xlsx = join(tmp, 'plan.xlsx');
    expect(ok('export', 'plan', '--out', xlsx).stdout).toMatch(/30 customers →/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe(`План ${plan.week}`);
    expect(ws.getRow(1).getCell(1).value).toBe('id');
    expect(ws.getCell('A2').value).toBe(plan.customers[0].id);
    expect(ws.getCell('C2').value).toBeCloseTo(plan.customers[0].probability as number, 12);
    expect(ws.getCell('C2').numFmt).toBe('0.0%');
    expect(ws.getCell('J2').value).toBe('предложил');
    expect(ws.getCell('K2').value).toBeInstanceOf(Date);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });

    const csvFile = join(tmp, 'plan.csv');
    ok('export', 'plan', '--out', csvFile);
    const csv = readFileSync(csvFile, 'utf8');
    expect(csv.startsWith('\uFEFFid;контакты;')).toBe(true);
    const row = csv.split('\r\n')[1].split(';');
    expect(row[0]).toBe(String(plan.customers[0].id));
    expect(row[2]).toMatch(/^0,\d+$/);

    const seg = join(tmp, 'cart.xlsx');
    expect(ok('export', 'корзина', '--out', seg).stdout).toMatch(/customers →/);
    expect(cli('export', 'nonsense', '--out', seg).stderr).toMatch(/Не знаю сегмента «nonsense»/);
  });

  it('synth --next-period from the plan, ingest with contacts.csv, then campaign --json measures the week', async () => {
    const planFile = join(tmp, 'plan.json');
    writeFileSync(planFile, ok('plan', '--json').stdout);
    const next = join(tmp, 'period-2');
    const s = ok('synth', '--next-period', '--from', DEMO_DIR, '--plan', planFile, '--effect', '0.3', '--out', next, '--seed', '5');
    expect(s.stdout).toMatch(/Ожидаемая доля снизивших покупки: в плане \d+%, в контроле \d+%, эффект [\d,]+ п\.п\./);
    for (const f of DATASET_FILES) expect(existsSync(join(next, f))).toBe(true);

    const before = JSON.parse(ok('campaign', '--json').stdout);
    expect(before).toEqual({ campaigns: [], pending: [plan.week] });

    const [, , c] = (await servedIds(fx.app));
    writeFileSync(join(next, 'contacts.csv'), `id,name\n${c},Вера\n`);
    const ingest = ok('ingest', next);
    expect(ingest.stdout).toMatch(/^Контакты сохранены: 1 клиент\.$/m);
    expect(await fx.app.store.contacts.get(c)).toMatchObject({ name: 'Вера' });

    const after = JSON.parse(ok('campaign', '--json').stdout);
    expect(after.pending).toEqual([]);
    expect(after.campaigns).toHaveLength(1);
    const [w] = after.campaigns;
    expect(w.week).toBe(plan.week);
    const keys = ['offer', 'treated', 'control', 'treated_decline', 'control_decline', 'uplift', 'ci_low', 'ci_high'];
    for (const row of [w.overall, ...w.offers]) expect(Object.keys(row)).toEqual(expect.arrayContaining(keys));
    expect(w.overall).toMatchObject({ offer: 'all', treated: 30, control: plan.held_out, conclusive: false });
    // Fewer than 30 in the control group: the human answer says it is too early, with no figures.
    const text = ok('campaign').stdout;
    expect(text).toMatch(/Вывод делать рано/);
    expect(text).not.toMatch(/\d+%/);
  });

  it('ingest refuses a broken contacts.csv beside the data with file:line, and stores nothing', async () => {
    const dir = join(tmp, 'with-bad-contacts');
    mkdirSync(dir);
    for (const f of DATASET_FILES) copyFileSync(join(DEMO_DIR, f), join(dir, f));
    writeFileSync(join(dir, 'contacts.csv'), 'id,phone\nабв,+79120000001\n');
    const versions = (await fx.app.store.datasets.list()).length;
    const r = cli('ingest', dir);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^contacts\.csv:2: «абв» — не номер клиента/);
    expect(await fx.app.store.datasets.list()).toHaveLength(versions);
  });
});
