/**
 * The dialogue on the real export: the ids and answers the issue quoted (215348 dropped for zero
 * revenue, 215380 the outlier, 215349 at high risk).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trainedApp, type Fixture } from '../support/appFixture.ts';
import { describeReal, realDir } from '../support/realData.ts';
import { drawn, type Answer } from '../../src/core/reply.ts';
import { fmtPercent, fmtProbability } from '../../src/messages.ts';

let fx: Fixture;
const admin = { chatId: 7, userId: 7, isAdmin: true };
const texts = (r: Answer[]) => r.filter((x) => x.type === 'text').map((x) => (x as { text: string }).text);
const isPng = (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

/** The answers the issue quoted, on the real export whose ids it named. */
describeReal('dialogue on the real export', () => {
  beforeAll(async () => {
    fx = await trainedApp({ dataDir: realDir() });
  });
  afterAll(async () => await fx?.dispose());

  it('/risk ID answers with a probability, band, the drivers from the base rate, an offer and a drivers chart', async () => {
    const replies = await drawn(await fx.app.dialogue.handleText(admin, '/risk 215349'));
    const [t] = texts(replies);
    const r = await fx.app.assistant.risk(215349);
    expect(t).toContain('215349');
    expect(t.split('\n')[0]).toMatch(new RegExp(`^🔴 Клиент 215349: ${fmtProbability(r.probability)} — высокий риск`));
    expect(t.split('\n').filter((l) => /^[▲▼] /.test(l))).toHaveLength(r.drivers.length);
    expect(t).toContain(`у среднего клиента — ${fmtPercent(r.baseRate)}`);
    expect(t).toMatch(/в среднем/);
    expect(t).toMatch(/остальные признаки вместе/);
    expect(t).toMatch(/Что сделать: /);
    const photo = replies.find((x) => x.type === 'photo');
    expect(photo && photo.type === 'photo' && isPng(photo.png)).toBe(true);
  });

  it('/risk without an id asks for it and takes the next message as the answer', async () => {
    const chat = { ...admin, chatId: 8 };
    expect(texts(await fx.app.dialogue.handleText(chat, '/risk'))[0]).toMatch(/номер клиента/);
    const follow = texts(await fx.app.dialogue.handleText(chat, '215349'));
    expect(follow[0]).toContain('Клиент 215349');
    // The question is answered once; free text afterwards is not taken as an id.
    expect(texts(await fx.app.dialogue.handleText(chat, 'привет'))[0]).toMatch(/^Здравствуйте/);
    // A clear request of another kind is not forced into the pending question.
    await fx.app.dialogue.handleText(chat, '/risk');
    expect(texts(await fx.app.dialogue.handleText(chat, 'кому звонить'))[0]).toMatch(/^🎯 Все в зоне риска/);
  });

  it('an unknown id gets «не найден» with the nearest known ids, never a stack trace', async () => {
    const [t] = texts(await fx.app.dialogue.handleText(admin, '/risk 215300'));
    expect(t).toMatch(/Клиент не найден: 215300/);
    expect(t).toMatch(/215348|215349/);
    expect(t).not.toMatch(/Error|at \w+ \(/);
  });

  it('a customer the cleaning dropped is explained, not reported as unknown', async () => {
    const [zero] = texts(await fx.app.dialogue.handleText(admin, '/risk 215348'));
    expect(zero).toBe(
      'Клиент 215348 есть в выгрузке, но исключён из анализа: нулевая выручка в одном из месяцев. Модель таких клиентов не оценивает.',
    );
    const [outlier] = texts(await fx.app.dialogue.handleText(admin, 'риск 215380'));
    expect(outlier).toMatch(/^Клиент 215380 есть в выгрузке, но исключён из анализа: аномально высокая выручка/);
    expect(`${zero}\n${outlier}`).not.toMatch(/не найден/);
  });

  it('/risk with several ids answers each, up to five, and says when it cut the list', async () => {
    const two = await drawn(await fx.app.dialogue.handleText(admin, '/risk 215349 215350'));
    expect(texts(two).map((t) => t.split('\n')[0])).toEqual([expect.stringContaining('Клиент 215349'), expect.stringContaining('Клиент 215350')]);
    expect(two.filter((r) => r.type === 'photo')).toHaveLength(2);
    const seven = texts(await fx.app.dialogue.handleText(admin, '/risk 215349, 215350, 215351, 215352, 215353, 215354, 215355'));
    expect(seven[0]).toBe(
      'Прислано 7 номеров; показываю первые 5: 215349, 215350, 215351, 215352, 215353. Остальные пришлите отдельным сообщением.',
    );
    expect(seven.slice(1).map((t) => /Клиент (\d+)/.exec(t)?.[1])).toEqual(['215349', '215350', '215351', '215352', '215353']);
  });

  it('plain messages with a clear intent are answered like their command', async () => {
    const first = async (message: string) => texts(await fx.app.dialogue.handleText(admin, message))[0];
    expect(await first('покажи клиентов в зоне риска')).toMatch(/^🎯 Все в зоне риска/);
    expect(await first('Кому звонить?')).toMatch(/^🎯 Все в зоне риска/);
    expect(await first('риск 215349')).toMatch(/^🔴 Клиент 215349/);
    expect(await first('что влияет на отток')).toMatch(/^Что сильнее всего влияет на риск/);
    expect(await first('прибыльные')).toMatch(/^🎯 Прибыльные под угрозой/);
  });

  it('anything else gets a short menu with the call lists as buttons', async () => {
    const [menu] = await fx.app.dialogue.handleText(admin, 'погода в Москве');
    expect(menu.type === 'text' && menu.text).toMatch(/^Не понял вопрос/);
    expect(menu.type === 'text' && menu.text).toContain('«кому звонить»');
    expect(menu.type === 'text' && menu.buttons?.flat().map((b) => b.data)).toEqual([
      { kind: 'segment', code: 'at-risk' },
      { kind: 'segment', code: 'profitable' },
    ]);
  });

  it('rejects ids that are not numbers, including SQL meta-characters', async () => {
    for (const bad of ["1; DROP TABLE customers", "' OR 1=1 --", 'abc']) {
      const [t] = texts(await fx.app.dialogue.handleText(admin, `/risk ${bad}`));
      expect(t).toMatch(/не похоже на номер клиента/);
    }
    expect((await fx.app.assistant.risk(215349)).customer.id).toBe(215349);
  });

  it('/segment with no name offers a keyboard of all segments and the overview chart; a Russian alias resolves', async () => {
    const [kb, overview] = await fx.app.dialogue.handleText(admin, '/segment');
    expect(kb.type === 'text' && kb.buttons?.flat().length).toBe(6);
    expect(overview.type === 'photo' && isPng(overview.png)).toBe(true);
    const replies = await fx.app.dialogue.handleText(admin, '/segment прибыльные');
    expect(texts(replies)[0]).toMatch(/Прибыльные под угрозой/);
    expect(texts(replies)[0]).toMatch(/Кому звонить первым|никого нет/);
    expect(replies.some((r) => r.type === 'photo')).toBe(true);
  });

  it('an unknown segment is one message with the keyboard, not a question followed by another', async () => {
    const replies = await fx.app.dialogue.handleText(admin, '/segment несуществующий');
    expect(replies).toHaveLength(1);
    expect(replies[0].type === 'text' && replies[0].text).toBe('Не знаю сегмента «несуществующий». Выберите из списка:');
    expect(replies[0].type === 'text' && replies[0].buttons?.flat().length).toBe(6);
  });

  it('each segment gets a chart about that segment', async () => {
    const photo = async (name: string) => {
      const p = (await fx.app.dialogue.handleText(admin, `/segment ${name}`)).find((r) => r.type === 'photo');
      return p?.type === 'photo' ? p.png : Buffer.alloc(0);
    };
    const [cart, profitable] = [await photo('cart'), await photo('profitable')];
    expect(isPng(cart) && isPng(profitable)).toBe(true);
    expect(cart.equals(profitable)).toBe(false);
  });

  it('/top_features lists shares in percent with a direction, no tiny decimals or bare negatives', async () => {
    const replies = await fx.app.dialogue.handleText(admin, '/top_features');
    const [t] = texts(replies);
    const items = t.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(items.length).toBeGreaterThan(3);
    for (const line of items) expect(line).toMatch(/ — \d+%/);
    expect(t).toMatch(/страниц за визит — \d+%: больше → риск ниже/);
    expect(t).not.toMatch(/0,0\d|−0|-0/);
    expect(replies.some((r) => r.type === 'photo')).toBe(true);
  });

  it('/model reports the version, CV AUC and customers scored, with the risk distribution chart', async () => {
    const replies = await fx.app.dialogue.handleText(admin, '/model');
    const [t] = texts(replies);
    expect(t).toMatch(/Модель v1/);
    expect(t).toMatch(/ROC-AUC/);
    expect(t).toMatch(/1\s296 клиентов из 1\s300/);
    expect(t).toMatch(/4 исключено/);
    expect(replies.some((r) => r.type === 'photo' && isPng(r.png))).toBe(true);
  });

  it('the greeting and hints name a customer who exists in the served data set', async () => {
    const [greeting] = texts(await fx.app.dialogue.handleText(admin, '/start'));
    const id = Number(/\/risk (\d+)/.exec(greeting)?.[1]);
    expect((await fx.app.assistant.risk(id)).customer.id).toBe(id);
    expect(texts(await fx.app.dialogue.handleText(admin, 'привет'))[0]).toContain(`/risk ${id}`);
    expect(texts(await fx.app.dialogue.handleText(admin, 'абракадабра'))[0]).toContain(`«риск ${id}»`);
  });

  it('unknown commands and plain text get guidance', async () => {
    expect(texts(await fx.app.dialogue.handleText(admin, '/nope'))[0]).toMatch(/\/help/);
    expect(texts(await fx.app.dialogue.handleText(admin, '/help'))[0]).toMatch(/\/top_features/);
  });
});
