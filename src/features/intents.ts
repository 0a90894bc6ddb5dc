/**
 * Plain messages with a clear intent, mapped to the command that answers them: «риск 215349»,
 * «покажи клиентов в зоне риска», «кому звонить», «что влияет на отток», «прибыльные». No remote
 * service: a message is normalised (lowercase, ё → е, punctuation dropped) and matched against a
 * small ordered table of phrases, each a set of word beginnings («зон» + «риск» matches «в зоне
 * риска», «зона риска», «зоны риска»). The words are what managers type, not what we answer, so
 * they live here rather than in messages.ts.
 */
import { SEGMENT_CODES, type SegmentCode } from '../core/segments.ts';

export interface Intent {
  /** A feature's command, without the slash. */
  command: string;
  args: string;
}

/** Lowercase, ё → е, everything but letters and digits turned into spaces: the words in order. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Every stem must begin some word of the message, in any order. */
type Phrase = readonly string[];

const matches = (words: readonly string[], phrase: Phrase): boolean =>
  phrase.every((stem) => words.some((w) => w.startsWith(stem)));
const matchesAny = (words: readonly string[], phrases: readonly Phrase[]): boolean => phrases.some((p) => matches(words, p));

/** Checked in SEGMENT_CODES order, so «прибыльные под угрозой» is the value segment, not «под угрозой» = at risk. */
const SEGMENT_PHRASES: Record<SegmentCode, readonly Phrase[]> = {
  profitable: [['прибыльн'], ['ценн'], ['vip'], ['вип']],
  promo: [['акци'], ['охотник'], ['промо']],
  cart: [['корзин']],
  surfers: [['серфер']],
  gadgets: [['гаджет'], ['техник'], ['электрон']],
  'at-risk': [
    ['зон', 'риск'],
    ['высок', 'риск'],
    ['групп', 'риск'],
    ['под', 'угроз'],
    ['кому', 'звон'],
    ['кого', 'звон'],
    ['обзвон'],
    ['кто', 'уйдет'],
    ['кто', 'уход'],
    ['риск'],
  ],
};

const EXPORT: readonly Phrase[] = [['выгруз'], ['экспорт'], ['csv'], ['скача'], ['excel'], ['эксел']];
const UNSUBSCRIBE: readonly Phrase[] = [['отпис'], ['отпиш']];
const SUBSCRIBE: readonly Phrase[] = [['подпис'], ['подпиш']];
const TOP_FEATURES: readonly Phrase[] = [['влия'], ['фактор'], ['причин'], ['почему'], ['важн'], ['драйвер']];
const ALL_SEGMENTS: readonly Phrase[] = [['сегмент']];
/** The risk distribution is a chart under /model; «распределение риска» must not read as the at-risk segment. */
const DISTRIBUTION: readonly Phrase[] = [['распредел'], ['гистограм']];
const MODEL: readonly Phrase[] = [['модел'], ['качеств'], ['точност'], ['auc']];
const UPLOAD: readonly Phrase[] = [['загруз'], ['обнов', 'данн'], ['нов', 'данн']];
const HELP: readonly Phrase[] = [['помощ'], ['помоги'], ['help'], ['команд'], ['умеешь'], ['можешь']];
const START: readonly Phrase[] = [['привет'], ['здравств'], ['добр', 'ден'], ['добр', 'утр'], ['добр', 'вечер'], ['старт'], ['начать']];

/** The segment a set of words names, by the phrases above. */
export function segmentFromWords(words: readonly string[]): SegmentCode | null {
  return SEGMENT_CODES.find((code) => matchesAny(words, SEGMENT_PHRASES[code])) ?? null;
}

const isNumber = (w: string) => /^\d{1,15}$/.test(w);
/** Next to other words, only a number this long is taken for a customer id («топ 10» is not one). */
const ID_DIGITS = 4;

/** The command a plain message asks for, or null when the message has no clear intent. */
export function understand(message: string): Intent | null {
  const words = normalizeWords(message);
  if (words.length === 0) return null;
  const numbers = words.filter(isNumber);
  const ids = numbers.length === words.length ? numbers : numbers.filter((w) => w.length >= ID_DIGITS);
  if (ids.length > 0) return { command: 'risk', args: ids.join(' ') };
  const segment = segmentFromWords(words);
  if (matchesAny(words, EXPORT)) return { command: 'export', args: segment ?? '' };
  if (matchesAny(words, UNSUBSCRIBE)) return { command: 'unsubscribe', args: '' };
  if (matchesAny(words, SUBSCRIBE)) return { command: 'subscribe', args: '' };
  if (matchesAny(words, TOP_FEATURES)) return { command: 'top_features', args: '' };
  if (matchesAny(words, DISTRIBUTION)) return { command: 'model', args: '' };
  if (segment) return { command: 'segment', args: segment };
  if (matchesAny(words, ALL_SEGMENTS)) return { command: 'segment', args: '' };
  if (matchesAny(words, MODEL)) return { command: 'model', args: '' };
  if (matchesAny(words, UPLOAD)) return { command: 'upload', args: '' };
  if (matchesAny(words, HELP)) return { command: 'help', args: '' };
  if (matchesAny(words, START)) return { command: 'start', args: '' };
  return null;
}
