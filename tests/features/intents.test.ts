import { describe, expect, it } from 'vitest';
import { normalizeWords, understand } from '../../src/features/intents.ts';
import { resolveSegment } from '../../src/features/segmentNames.ts';

describe('normalising a message', () => {
  it('lowercases, turns ё into е and drops punctuation', () => {
    expect(normalizeWords('  Сёрферы?! Кто — в «зоне» риска…')).toEqual(['серферы', 'кто', 'в', 'зоне', 'риска']);
    expect(normalizeWords('риск: 215349, 215350')).toEqual(['риск', '215349', '215350']);
    expect(normalizeWords('!!!')).toEqual([]);
  });
});

describe('the intent table', () => {
  it.each([
    ['риск 215349', 'risk', '215349'],
    ['Риск клиента 215349?', 'risk', '215349'],
    ['215349', 'risk', '215349'],
    ['215349 215350', 'risk', '215349 215350'],
    ['что с 215349 и 215350', 'risk', '215349 215350'],
    ['покажи клиентов в зоне риска', 'segment', 'at-risk'],
    ['кто в зоне риска', 'segment', 'at-risk'],
    ['Кому звонить?', 'segment', 'at-risk'],
    ['кого обзвонить сегодня', 'segment', 'at-risk'],
    ['риск', 'segment', 'at-risk'],
    ['что влияет на отток', 'top_features', ''],
    ['почему клиенты уходят', 'top_features', ''],
    ['главные причины', 'top_features', ''],
    ['прибыльные', 'segment', 'profitable'],
    ['Прибыльные под угрозой', 'segment', 'profitable'],
    ['ценные клиенты', 'segment', 'profitable'],
    ['охотники за акциями', 'segment', 'promo'],
    ['брошенные корзины', 'segment', 'cart'],
    ['сёрферы', 'segment', 'surfers'],
    ['любители гаджетов', 'segment', 'gadgets'],
    ['сегменты', 'segment', ''],
    ['выгрузи прибыльных в csv', 'export', 'profitable'],
    ['экспорт', 'export', ''],
    ['подпишись на сводку', 'subscribe', ''],
    ['отписаться', 'unsubscribe', ''],
    ['какая модель', 'model', ''],
    ['распределение риска', 'model', ''],
    ['как загрузить новые данные', 'upload', ''],
    ['помощь', 'help', ''],
    ['что ты умеешь', 'help', ''],
    ['Привет!', 'start', ''],
    ['добрый день', 'start', ''],
  ])('«%s» → /%s %s', (message, command, args) => {
    expect(understand(message)).toEqual({ command, args });
  });

  it.each([['погода в Москве'], ['топ 10'], ['ок'], [''], ['???']])('«%s» has no clear intent', (message) => {
    expect(understand(message)).toBeNull();
  });
});

describe('segment names after /segment', () => {
  it('take codes, aliases and the words of the intent table', () => {
    expect(resolveSegment('at-risk')).toBe('at-risk');
    expect(resolveSegment('гаджеты')).toBe('gadgets');
    expect(resolveSegment('зона риска')).toBe('at-risk');
    expect(resolveSegment('прибыльных')).toBe('profitable');
    expect(resolveSegment('несуществующий')).toBeNull();
  });
});
