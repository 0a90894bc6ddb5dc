import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedIds, trainedApp, type Fixture } from '../support/appFixture.ts';
import { drawn, type Answer } from '../../src/core/reply.ts';
import { fmtProbability } from '../../src/messages.ts';

let fx: Fixture;
/** The served customers' ids, ascending, and `ID`, the first of them. */
let ids: number[];
let ID: number;
const admin = { chatId: 7, userId: 7, isAdmin: true };
const texts = (r: Answer[]) => r.filter((x) => x.type === 'text').map((x) => (x as { text: string }).text);
const isPng = (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

beforeAll(async () => {
  fx = await trainedApp();
  ids = (await servedIds(fx.app));
  ID = ids[0];
});
afterAll(async () => await fx?.dispose());

describe('dialogue', () => {
  it('/risk ID answers with a probability, band, its drivers, an offer and a drivers chart', async () => {
    const replies = await drawn(await fx.app.dialogue.handleText(admin, `/risk ${ID}`));
    const [t] = texts(replies);
    const r = await fx.app.assistant.risk(ID);
    expect(t.split('\n')[0]).toMatch(new RegExp(`Клиент ${ID}: ${fmtProbability(r.probability)} — (низкий|средний|высокий) риск`));
    expect(t.split('\n').filter((l) => /^[▲▼] /.test(l))).toHaveLength(r.drivers.length);
    expect(t).toMatch(/в среднем/);
    expect(t).toMatch(/Что сделать: /);
    const photo = replies.find((x) => x.type === 'photo');
    expect(photo && photo.type === 'photo' && isPng(photo.png)).toBe(true);
  });

  it('/risk answers with its card before its chart is drawn: the chart is drawn when it is about to be sent', async () => {
    const id = ids[ids.length - 1];
    const before = fx.app.charts.drawn;
    const replies = await fx.app.dialogue.handleText(admin, `/risk ${id}`);
    expect(replies.map((r) => r.type)).toEqual(['text', 'later-photo']);
    expect(fx.app.charts.drawn).toBe(before);
    const [, photo] = await drawn(replies);
    expect(photo.type === 'photo' && isPng(photo.png) && photo.fileName).toBe(`risk-${id}.png`);
    expect(fx.app.charts.drawn).toBe(before + 1);
  });

  it('/risk without an id asks for it and takes the next message as the answer', async () => {
    const chat = { ...admin, chatId: 8 };
    expect(texts(await fx.app.dialogue.handleText(chat, '/risk'))[0]).toMatch(/номер клиента/);
    const follow = texts(await fx.app.dialogue.handleText(chat, String(ID)));
    expect(follow[0]).toContain(`Клиент ${ID}`);
    // The question is answered once; free text afterwards is not taken as an id.
    expect(texts(await fx.app.dialogue.handleText(chat, 'привет'))[0]).toMatch(/^Здравствуйте/);
  });

  it('an unknown id gets «не найден» with the nearest known ids, never a stack trace', async () => {
    const unknown = ids.at(-1)! + 7;
    const [t] = texts(await fx.app.dialogue.handleText(admin, `/risk ${unknown}`));
    expect(t).toContain(`Клиент не найден: ${unknown}`);
    expect(t).toContain(String(ids.at(-1)));
    expect(t).not.toMatch(/Error|at \w+ \(/);
  });

  it('a customer the cleaning dropped is explained with the reason, not reported as unknown', async () => {
    const dropped = await fx.app.store.datasets.dropped((await fx.app.assistant.modelInfo()).model.datasetVersion);
    expect(dropped.length).toBeGreaterThan(0);
    for (const d of dropped) {
      const [t] = texts(await fx.app.dialogue.handleText(admin, `/risk ${d.id}`));
      expect(t).toMatch(new RegExp(`^Клиент ${d.id} есть в выгрузке, но исключён из анализа: `));
      expect(t).not.toMatch(/не найден/);
    }
  });

  it('rejects ids that are not numbers, including SQL meta-characters', async () => {
    for (const bad of ["1; DROP TABLE customers", "' OR 1=1 --", 'abc']) {
      const [t] = texts(await fx.app.dialogue.handleText(admin, `/risk ${bad}`));
      expect(t).toMatch(/не похоже на номер клиента/);
    }
    expect((await fx.app.assistant.risk(ID)).customer.id).toBe(ID);
  });

  it('/segment with no name offers a keyboard of all segments; a Russian alias resolves', async () => {
    const [kb] = await fx.app.dialogue.handleText(admin, '/segment');
    expect(kb.type === 'text' && kb.buttons?.flat().length).toBe(6);
    const replies = await fx.app.dialogue.handleText(admin, '/segment прибыльные');
    expect(texts(replies)[0]).toMatch(/Прибыльные под угрозой/);
    expect(texts(replies)[0]).toMatch(/Кому звонить первым|никого нет/);
    expect(replies.some((r) => r.type === 'photo')).toBe(true);
  });

  it('a segment button press answers like the command', async () => {
    const replies = await fx.app.dialogue.handleCallback(admin, { kind: 'segment', code: 'cart' });
    expect(texts(replies)[0]).toMatch(/Чемпионы по бросанию корзин/);
  });

  it('/export sends the segment as an Excel workbook, by expected loss', async () => {
    const [doc] = await fx.app.dialogue.handleText(admin, '/export at-risk');
    expect(doc).toMatchObject({ type: 'document', fileName: 'segment-at-risk.xlsx' });
    const seg = await fx.app.assistant.segment('at-risk');
    expect(doc.type === 'document' && doc.caption).toMatch(new RegExp(`Все в зоне риска: ${seg.size}`));
  });

  it('/top_features lists features and sends the importance chart', async () => {
    const replies = await fx.app.dialogue.handleText(admin, '/top_features');
    expect(texts(replies)[0]).toMatch(/^1\. /m);
    expect(replies.some((r) => r.type === 'photo')).toBe(true);
  });

  it('/model reports the version, CV AUC and customers scored', async () => {
    const [t] = texts(await fx.app.dialogue.handleText(admin, '/model'));
    expect(t).toMatch(/Модель v1/);
    expect(t).toMatch(/ROC-AUC/);
    expect(t).toContain(ids.length.toLocaleString('ru-RU'));
  });

  it('the greeting and hints name a customer who exists in the served data set', async () => {
    const [greeting] = texts(await fx.app.dialogue.handleText(admin, '/start'));
    const id = Number(/\/risk (\d+)/.exec(greeting)?.[1]);
    expect((await fx.app.assistant.risk(id)).customer.id).toBe(id);
    expect(texts(await fx.app.dialogue.handleText(admin, 'привет'))[0]).toContain(`/risk ${id}`);
  });

  it('unknown commands and plain text get guidance', async () => {
    expect(texts(await fx.app.dialogue.handleText(admin, '/nope'))[0]).toMatch(/\/help/);
    expect(texts(await fx.app.dialogue.handleText(admin, '/help'))[0]).toMatch(/\/top_features/);
  });
});
