/**
 * The weekly call list in Telegram, through the Bot API emulator: /plan pages with status buttons,
 * presses that record and redraw the pressed message in place, /risk cards of listed and held-out
 * customers, presses the access rules refuse, the cooldown and the week boundary in Moscow time.
 * The campaign's clock is injected; every test works in its own week, five weeks after the
 * previous one, so the 28-day cooldown of one test never reaches the next.
 */
import { describe, expect, it } from 'vitest';
import { periodOf } from '../../src/core/digest/period.ts';
import type { WeekPlan } from '../../src/core/campaign/index.ts';
import { fmtDateTime } from '../../src/messages.ts';
import { withEmulatedBot } from '../support/emulatedBot.ts';
import type { TgMessage } from '../support/telegramEmulator.ts';

const ADMIN = 100;
const MANAGER = 200;
const STRANGER = 300;
const TEAM = -500;
const UNLISTED = -600;
const DAY = 86_400_000;

/** Monday 2026-01-05 09:00 in Moscow, the start of ISO week 2026-W02. */
const FIRST_MONDAY = Date.parse('2026-01-05T06:00:00Z');
const clock = { now: new Date(FIRST_MONDAY) };
/** The k-th test's Monday, 09:00 Moscow time. */
const monday = (k: number) => new Date(FIRST_MONDAY + k * 35 * DAY);
const weekOf = (d: Date) => periodOf(d, 'Europe/Moscow').key;

const CRM = 'https://crm.example.ru/customers/{id}?from=bot';
const h = withEmulatedBot({ now: () => clock.now, env: { CRM_URL_TEMPLATE: CRM } });
const crmOf = (id: number) => CRM.replace('{id}', String(id));
const start = () => h.startBot({ allowed: [MANAGER], admins: [ADMIN], teamChats: [TEAM] });

const plan = async (week: string): Promise<WeekPlan> => (await h.fx.app.campaign.weekPlan(week))!;
const outreach = async (week: string) => await h.fx.app.store.campaigns.outreach(week);
const buttons = (m: TgMessage) => m.reply_markup?.inline_keyboard.flat() ?? [];
/** The message as it is in the chat now (edits applied). */
const current = (m: TgMessage) => h.tg.history(m.chat.id).find((x) => x.message_id === m.message_id)!;
const edited = (m: TgMessage, since: number) =>
  h.tg.waitForCall((c) => c.method === 'editMessageText' && c.ok === true && c.params.message_id === m.message_id, { since });

async function askPlan(user: number | { chatId: number; userId: number } = MANAGER): Promise<TgMessage> {
  h.tg.sendText(user, '/plan');
  return h.tg.waitForMessage(typeof user === 'number' ? user : user.chatId);
}

/** A callback query Telegram would never deliver for a real message: a forged or stale button. */
function forgedPress(chat: { id: number; type: 'private' | 'group' }, from: number, data: string): void {
  // The chat exists for Telegram (a forged payload, not a forged chat), so answers reach it.
  h.tg.createChat(chat.type === 'private' ? chat.id : { id: chat.id, type: 'group', title: 'g' });
  h.tg.pushUpdate({
    callback_query: {
      id: String(9_000_000 + Math.floor(Math.random() * 1_000_000)),
      from: { id: from, is_bot: false, first_name: `User ${from}` },
      message: { message_id: 999, date: 0, chat: chat.type === 'private' ? { id: chat.id, type: 'private' } : { id: chat.id, type: 'group', title: 'g' } },
      chat_instance: '1',
      data,
    },
  });
}

describe('/plan through the emulator', () => {
  it('lists the week five at a time with numbered status buttons and never the control group', async () => {
    clock.now = monday(0);
    await start();
    const week = weekOf(clock.now);
    const m = await askPlan();
    const p = (await plan(week));
    expect(p.entries).toHaveLength(30);
    expect(m.text).toMatch(/План звонков на неделю 5–11 января 2026/);
    expect(m.text).toMatch(/Сделано 0 из 30/);
    expect(m.text).toContain(`1. ${p.entries[0].id}`);
    expect(m.text).toContain(`5. ${p.entries[4].id}`);
    expect(m.text).not.toContain(`6. ${p.entries[5].id}`);
    const rows = m.reply_markup!.inline_keyboard;
    expect(rows.slice(0, 5).map((r) => r.map((b) => b.text))).toEqual(
      [1, 2, 3, 4, 5].map((n) => [`${n} · Предложил`, `${n} · Не дозвонился`, `${n} · Отказ`]),
    );
    for (const b of buttons(m)) expect(Buffer.byteLength(b.callback_data ?? '')).toBeLessThanOrEqual(64);
    // CRM_URL_TEMPLATE: one link per customer of the page, numbered like the list.
    expect(rows[5]).toEqual(p.entries.slice(0, 5).map((e, i) => expect.objectContaining({ text: `🔗 ${i + 1}`, url: crmOf(e.id) })));
    expect(rows[6].map((b) => b.text)).toEqual(['📄 В Excel', 'Дальше ▶']);
    expect(p.control.length).toBeGreaterThan(0);
    for (const c of p.control) {
      expect(m.text).not.toContain(String(c.id));
      expect(buttons(m).some((b) => b.callback_data?.includes(String(c.id)))).toBe(false);
    }
  });

  it('a press records status, offer, user and time, is audited, and redraws the same message; a second press replaces it', async () => {
    clock.now = monday(1);
    await start();
    const week = weekOf(clock.now);
    const m = await askPlan();
    const first = (await plan(week)).entries[0];

    let since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, m, '1 · Предложил');
    await edited(m, since);
    expect((await outreach(week))).toEqual([{ week, customerId: first.id, status: 'offered', offer: first.offer, userId: MANAGER, at: clock.now.toISOString() }]);
    expect((await h.fx.app.store.audit.recent(5)).map((e) => e.action)).toContain(`campaign ${week} ${first.id} offered`);
    expect(h.tg.sent(MANAGER)).toHaveLength(1); // redrawn in place, nothing new sent
    let now = current(m);
    expect(now.text).toMatch(/Сделано 1 из 30: ✅ предложили 1/);
    expect(now.text).toContain(`✅ предложил · ${fmtDateTime(clock.now.toISOString(), 'Europe/Moscow')}`);
    expect(buttons(now).map((b) => b.text)).toContain('✓ 1 · Предложил');

    clock.now = new Date(clock.now.getTime() + 60 * 60_000);
    since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, now, '1 · Отказ');
    await edited(m, since);
    expect((await outreach(week))).toMatchObject([{ customerId: first.id, status: 'declined', at: clock.now.toISOString() }]);
    now = current(m);
    expect(now.text).toMatch(/Сделано 1 из 30: ✅ предложили 0 · 📵 не дозвонились 0 · ❌ отказ 1/);
    expect(buttons(now).map((b) => b.text)).toEqual(expect.arrayContaining(['1 · Предложил', '✓ 1 · Отказ']));

    // The same status again in the same minute changes nothing Telegram could show: no error, no new message.
    h.tg.pressButton(MANAGER, now, '✓ 1 · Отказ');
    await h.tg.waitForCall((c) => c.method === 'editMessageText' && c.ok === false, { since });
    // A chat's updates are handled in order: once this answer is there, the press is done.
    h.tg.sendText(MANAGER, '/contact');
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(/Напишите так/);
    expect(h.tg.sent(MANAGER)).toHaveLength(2);
    expect((await outreach(week))).toHaveLength(1);
  });

  it('«Дальше ▶» and «◀ Назад» turn the page of the same message', async () => {
    clock.now = monday(2);
    await start();
    const m = await askPlan();
    const { entries } = (await plan(weekOf(clock.now)));
    let since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, m, 'Дальше ▶');
    await edited(m, since);
    let now = current(m);
    expect(now.text).toContain(`6. ${entries[5].id}`);
    expect(now.text).toMatch(/Страница 2 из 6/);
    expect(buttons(now)[0].text).toBe('6 · Предложил');
    // Contacts imported meanwhile show up on the next redraw.
    await h.fx.app.store.contacts.upsert([{ id: entries[0].id, name: 'Анна Смирнова', phone: '+7 912 000-00-01', email: null, extra: {} }], 'test');
    since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, now, '◀ Назад');
    await edited(m, since);
    now = current(m);
    expect(now.text).toContain(`1. ${entries[0].id} — Анна Смирнова, +7 912 000-00-01`);
    expect(h.tg.sent(MANAGER)).toHaveLength(1);

    h.tg.pressButton(MANAGER, now, '📄 В Excel');
    const doc = await h.tg.waitForCall('sendDocument');
    expect(Object.values(doc.files)[0].fileName).toBe(`plan-${weekOf(clock.now)}.xlsx`);
  });

  it('presses by a stranger in the team chat, in an unlisted group or in a private chat record nothing', async () => {
    clock.now = monday(3);
    await start();
    const week = weekOf(clock.now);
    const m = await askPlan({ chatId: TEAM, userId: MANAGER });
    const first = (await plan(week)).entries[0];
    const data = `o:${week}:${first.id}:o:1`;
    expect(buttons(m).map((b) => b.callback_data)).toContain(data);

    h.tg.pressButton({ chatId: TEAM, userId: STRANGER }, m, '1 · Предложил');
    forgedPress({ id: UNLISTED, type: 'group' }, MANAGER, data);
    forgedPress({ id: STRANGER, type: 'private' }, STRANGER, data);
    // Each chat's updates are handled in order: these answers mean the presses were handled.
    expect((await h.tg.waitForMessage(STRANGER)).text).toMatch(/только сотрудникам/);
    expect((await h.tg.waitForMessage(UNLISTED)).text).toMatch(/только в личных чатах/);
    await h.tg.waitForCall('leaveChat');
    expect((await outreach(week))).toEqual([]);

    // The same button works for the manager in the team chat, after the stranger's press there.
    const since = h.tg.calls.length;
    h.tg.pressButton({ chatId: TEAM, userId: MANAGER }, m, '1 · Предложил');
    await edited(m, since);
    expect(h.tg.calls.filter((c) => c.method === 'editMessageText')).toHaveLength(1);
    expect((await outreach(week))).toEqual([expect.objectContaining({ customerId: first.id, status: 'offered', userId: MANAGER })]);
  });

  it('a /risk card of a listed customer carries the buttons and is redrawn in place; a held-out one says not to call', async () => {
    clock.now = monday(4);
    await start();
    const week = weekOf(clock.now);
    await askPlan();
    const p = (await plan(week));
    const second = p.entries[1];

    h.tg.sendText(MANAGER, `/risk ${second.id}`);
    const card = await h.tg.waitForMessage(MANAGER);
    expect(card.text).toMatch(/В плане звонков этой недели: №2 из 30/);
    expect(card.text).toMatch(/Статус: ⏳ ещё не звонили/);
    expect(buttons(card).map((b) => b.text)).toEqual(['Предложил', 'Не дозвонился', 'Отказ', '🔗 Открыть в CRM']);
    expect(buttons(card)[3].url).toBe(crmOf(second.id));
    await h.tg.waitForCall('sendPhoto');

    const since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, card, 'Не дозвонился');
    await edited(card, since);
    expect((await outreach(week))).toMatchObject([{ customerId: second.id, status: 'no_answer' }]);
    expect(current(card).text).toMatch(/Статус: 📵 не дозвонился/);
    expect(buttons(current(card)).map((b) => b.text)).toContain('✓ Не дозвонился');

    const held = p.control[0].id;
    h.tg.sendText(MANAGER, `/risk ${held}`);
    const heldCard = await h.tg.waitForMessage(MANAGER, { match: (x) => x.text?.includes(`Клиент ${held}`) ?? false });
    expect(heldCard.text).toMatch(/не звоним: он в контрольной группе/);
    expect(buttons(heldCard).some((b) => b.callback_data?.startsWith('o:'))).toBe(false);
    expect(buttons(heldCard).map((b) => b.url)).toEqual([crmOf(held)]);
  });

  it('a press for a held-out or an unlisted customer gets one short sentence and records nothing', async () => {
    clock.now = monday(5);
    await start();
    const week = weekOf(clock.now);
    await askPlan();
    const p = (await plan(week));
    const listed = new Set([...p.entries.map((e) => e.id), ...p.control.map((c) => c.id)]);
    const outsider = (await h.fx.app.store.datasets.customers(p.datasetVersion)).find((c) => !listed.has(c.id))!.id;

    forgedPress({ id: MANAGER, type: 'private' }, MANAGER, `o:${week}:${p.control[0].id}:o:-`);
    const held = await h.tg.waitForMessage(MANAGER);
    expect(held.text).toMatch(new RegExp(`Клиент ${p.control[0].id} на неделе .* в контрольной группе.*Отметку не записал`));
    forgedPress({ id: MANAGER, type: 'private' }, MANAGER, `o:${week}:${outsider}:d:1`);
    const out = await h.tg.waitForMessage(MANAGER);
    expect(out.text).toMatch(new RegExp(`Клиента ${outsider} нет в плане звонков .* отметку не записал`));
    forgedPress({ id: MANAGER, type: 'private' }, MANAGER, `o:2025-W01:${outsider}:d:1`);
    expect((await h.tg.waitForMessage(MANAGER)).text).toMatch(/Плана звонков на неделю .* нет — отметку не записал/);
    expect((await outreach(week))).toEqual([]);
    expect(h.tg.sent(MANAGER).every((x) => !/Error|at .*\.ts/.test(x.text ?? ''))).toBe(true);
  });

  it('a customer who took the offer is left out of the next weeks’ plans (cooldown); one who did not answer is not', async () => {
    clock.now = monday(6);
    await start();
    const week = weekOf(clock.now);
    const m = await askPlan();
    const [offered, noAnswer] = (await plan(week)).entries;
    let since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, m, '1 · Предложил');
    await edited(m, since);
    since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, current(m), '2 · Не дозвонился');
    await edited(m, since);

    clock.now = new Date(clock.now.getTime() + 7 * DAY);
    const next = weekOf(clock.now);
    expect(next).not.toBe(week);
    const m2 = await askPlan();
    expect(m2.text).toMatch(/Сделано 0 из 30/);
    const p2 = (await plan(next));
    const everyone = [...p2.entries.map((e) => e.id), ...p2.control.map((c) => c.id)];
    expect(everyone).not.toContain(offered.id);
    expect(everyone).toContain(noAnswer.id);
    expect(m2.text).not.toContain(`. ${offered.id}`);
  });

  it('weeks follow DIGEST_TIMEZONE: a press at Monday 00:30 Moscow on Sunday 23:30’s list lands in that list’s week', async () => {
    // Sunday 23:30 Moscow = 20:30 UTC; Monday 00:30 Moscow = Sunday 21:30 UTC, still Sunday in UTC.
    const sunday = new Date(monday(8).getTime() - DAY); // a Sunday, 09:00 Moscow
    clock.now = new Date(Date.UTC(sunday.getUTCFullYear(), sunday.getUTCMonth(), sunday.getUTCDate(), 20, 30));
    await start();
    const week = weekOf(clock.now);
    const m = await askPlan();
    const first = (await plan(week)).entries[0];

    clock.now = new Date(clock.now.getTime() + 60 * 60_000);
    const monday00 = weekOf(clock.now);
    expect(monday00).not.toBe(week);
    const since = h.tg.calls.length;
    h.tg.pressButton(MANAGER, m, '1 · Предложил');
    await edited(m, since);
    expect((await outreach(week))).toMatchObject([{ customerId: first.id, status: 'offered', at: clock.now.toISOString() }]);
    expect(await h.fx.app.store.campaigns.plan(monday00)).toBeNull();

    const fresh = await askPlan();
    expect(fresh.text).not.toBe(current(m).text);
    expect(await h.fx.app.store.campaigns.plan(monday00)).not.toBeNull();
    expect(fresh.text).toMatch(/Сделано 0 из 30/);
  });
});
