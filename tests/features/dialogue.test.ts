import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_DIR, trainedApp, type Fixture } from '../support/appFixture.ts';
import type { Reply } from '../../src/core/reply.ts';
import { fmtProbability } from '../../src/messages.ts';

let fx: Fixture;
const admin = { chatId: 7, userId: 7, isAdmin: true };
const texts = (r: Reply[]) => r.filter((x) => x.type === 'text').map((x) => (x as { text: string }).text);
const isPng = (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

beforeAll(async () => {
  fx = await trainedApp({ dataDir: REAL_DIR });
});
afterAll(() => fx?.dispose());

describe('conversation', () => {
  it('/risk ID answers with a probability, band, three drivers, an offer and a drivers chart', async () => {
    const replies = await fx.app.dialogue.handleText(admin, '/risk 215349');
    const [t] = texts(replies);
    const r = await fx.app.assistant.risk(215349);
    expect(t).toContain('215349');
    expect(t).toContain(`покупок: ${fmtProbability(r.probability)} —`);
    expect(t).toMatch(/(низкий|средний|высокий) риск/);
    expect(t.split('\n').filter((l) => /^[▲▼] /.test(l))).toHaveLength(3);
    expect(t).toMatch(/в среднем/);
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
    expect(texts(await fx.app.dialogue.handleText(chat, 'привет'))[0]).toMatch(/команды/);
  });

  it('an unknown id gets «не найден» with the nearest known ids, never a stack trace', async () => {
    const [t] = texts(await fx.app.dialogue.handleText(admin, '/risk 215380'));
    expect(t).toMatch(/Клиент не найден: 215380/);
    expect(t).toMatch(/215379|215381/);
    expect(t).not.toMatch(/Error|at \w+ \(/);
  });

  it('rejects ids that are not numbers, including SQL meta-characters', async () => {
    for (const bad of ["1; DROP TABLE customers", "' OR 1=1 --", 'abc']) {
      const [t] = texts(await fx.app.dialogue.handleText(admin, `/risk ${bad}`));
      expect(t).toMatch(/не похоже на номер клиента/);
    }
    expect((await fx.app.assistant.risk(215349)).customer.id).toBe(215349);
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

  it('/export sends the segment as CSV sorted by priority', async () => {
    const [doc] = await fx.app.dialogue.handleText(admin, '/export at-risk');
    expect(doc.type).toBe('document');
    if (doc.type !== 'document') return;
    const lines = doc.content.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    const seg = await fx.app.assistant.segment('at-risk');
    expect(lines).toHaveLength(seg.size + 1);
    const priorities = lines.slice(1).map((l) => Number(l.split(',')[4]));
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
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
    expect(t).toMatch(/1\s?296/);
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
