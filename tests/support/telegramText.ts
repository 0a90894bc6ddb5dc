/**
 * What the Bot API does with `parse_mode`: reject markup Telegram rejects (with Telegram's own
 * wording, taken from tdlib's parse_html / parse_markdown_v2 / parse_markdown and their tests) and
 * return the plain text Telegram stores in message.text. Entities are not computed.
 */

export class ParseEntitiesError extends Error {}

const err = (message: string) => new ParseEntitiesError(message);
/** tdlib reports positions as UTF-8 byte offsets into the source text. */
const byteOffset = (text: string, index: number) => Buffer.byteLength(text.slice(0, index), 'utf8');

export type ParseMode = 'html' | 'markdownv2' | 'markdown';

export function isParseMode(mode: string): mode is ParseMode {
  return mode === 'html' || mode === 'markdownv2' || mode === 'markdown';
}

/** Throws ParseEntitiesError with the message Telegram puts after "Bad Request: can't parse entities: ". */
export function plainText(text: string, mode: ParseMode): string {
  if (mode === 'html') return parseHtml(text);
  if (mode === 'markdownv2') return parseMarkdownV2(text);
  return parseMarkdown(text);
}

// ---------------------------------------------------------------- HTML

const HTML_TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins',
  'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote',
]);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()); // tdlib's to_lower
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** &lt; &gt; &amp; &quot; and numeric entities, ";" optional; anything else stays literal. */
function decodeEntity(text: string, i: number): { ch: string; end: number } | undefined {
  let j = i + 1;
  let ch: string | undefined;
  if (text[j] === '#') {
    const hex = text[++j] === 'x';
    if (hex) j++;
    const start = j;
    while (j < text.length && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(text[j])) j++;
    const code = j > start ? parseInt(text.slice(start, j), hex ? 16 : 10) : 0;
    if (code > 0 && code <= 0x10ffff) ch = String.fromCodePoint(code);
  } else {
    const start = j;
    while (j < text.length && /[a-z]/.test(text[j])) j++;
    ch = NAMED_ENTITIES[text.slice(start, j)];
  }
  if (ch === undefined) return undefined;
  return { ch, end: text[j] === ';' ? j + 1 : j };
}

function decodeEntities(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const e = text[i] === '&' ? decodeEntity(text, i) : undefined;
    out += e ? e.ch : text[i];
    i = e ? e.end : i + 1;
  }
  return out;
}

export function parseHtml(text: string): string {
  let out = '';
  const open: { tag: string; at: number }[] = [];
  const at = (i: number) => byteOffset(text, i);
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '&') {
      const e = decodeEntity(text, i);
      out += e ? e.ch : c;
      i = e ? e.end : i + 1;
      continue;
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }
    const begin = i++;
    if (text[i] === '/') {
      if (open.length === 0) throw err(`Unexpected end tag at byte offset ${at(begin)}`);
      const close = text.indexOf('>', i);
      if (close < 0) throw err(`Unclosed end tag at byte offset ${at(begin)}`);
      const tag = asciiLower(text.slice(i + 1, close).trim());
      const top = open.pop()!;
      if (tag !== '' && tag !== top.tag) {
        throw err(`Unmatched end tag at byte offset ${at(begin)}, expected "</${top.tag}>", found "</${tag}>"`);
      }
      i = close + 1;
      continue;
    }
    const nameStart = i;
    while (i < text.length && !isSpace(text[i]) && text[i] !== '>') i++;
    if (i >= text.length) throw err(`Unclosed start tag at byte offset ${at(begin)}`);
    const tag = asciiLower(text.slice(nameStart, i));
    if (!HTML_TAGS.has(tag)) throw err(`Unsupported start tag "${tag}" at byte offset ${at(begin)}`);
    const attributes = new Map<string, string>();
    for (;;) {
      while (isSpace(text[i])) i++;
      if (i >= text.length) throw err(`Unclosed start tag "${tag}" at byte offset ${at(begin)}`);
      if (text[i] === '>') break;
      const attrStart = i;
      while (i < text.length && !isSpace(text[i]) && text[i] !== '=' && text[i] !== '>') i++;
      const name = asciiLower(text.slice(attrStart, i));
      if (name === '') throw err(`Empty attribute name in the tag "${tag}" at byte offset ${at(begin)}`);
      while (isSpace(text[i])) i++;
      if (text[i] !== '=') {
        attributes.set(name, ''); // valueless, e.g. <blockquote expandable>
        continue;
      }
      i++;
      while (isSpace(text[i])) i++;
      if (i >= text.length) throw err(`Unclosed start tag "${tag}" at byte offset ${at(begin)}`);
      const quote = text[i];
      if (quote === '"' || quote === "'") {
        const close = text.indexOf(quote, i + 1);
        if (close < 0) throw err(`Unclosed start tag at byte offset ${at(begin)}`);
        attributes.set(name, decodeEntities(text.slice(i + 1, close)));
        i = close + 1;
      } else {
        const valueStart = i;
        while (i < text.length && /[A-Za-z0-9.-]/.test(text[i])) i++;
        if (i >= text.length || (!isSpace(text[i]) && text[i] !== '>')) {
          throw err(`Unexpected end of name token at byte offset ${at(valueStart)}`);
        }
        attributes.set(name, text.slice(valueStart, i));
      }
    }
    i++; // '>'
    if (tag === 'span' && attributes.get('class') !== 'tg-spoiler') {
      throw err(`Tag "span" must have class "tg-spoiler" at byte offset ${at(begin)}`);
    }
    open.push({ tag, at: begin });
  }
  if (open.length > 0) throw err(`Can't find end tag corresponding to start tag "${open[open.length - 1].tag}"`);
  return out;
}

// ---------------------------------------------------------------- MarkdownV2

type MdEntity =
  | 'Bold' | 'Italic' | 'Underline' | 'Strikethrough' | 'Spoiler'
  | 'Code' | 'Pre' | 'PreCode' | 'TextUrl' | 'CustomEmoji';

/** Characters that are markup in MarkdownV2; each must be escaped with '\' when meant literally. */
const MD_V2_SPECIAL = '_*[]()~`>#+-=|{}.!';

export function parseMarkdownV2(text: string): string {
  let out = '';
  const stack: { type: MdEntity; at: number }[] = [];
  const reserved = (c: string) => err(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    const next = text[i + 1];
    const top = stack[stack.length - 1]?.type;
    const inCode = top === 'Code' || top === 'Pre' || top === 'PreCode';
    if (c === '\\' && next !== undefined && next.charCodeAt(0) <= 126) {
      out += next;
      i += 2;
      continue;
    }
    const lineStart = i === 0 || text[i - 1] === '\n' || text[i - 1] === '\r';
    if (!inCode && lineStart && (c === '>' || text.startsWith('**>', i))) {
      i += c === '>' ? 1 : 3; // block quote (expandable with "**>")
      continue;
    }
    if (inCode ? c !== '`' : !MD_V2_SPECIAL.includes(c)) {
      out += c;
      i++;
      continue;
    }
    const closes =
      (top === 'Bold' && c === '*') ||
      (top === 'Italic' && c === '_' && next !== '_') ||
      (top === 'Underline' && c === '_' && next === '_') ||
      (top === 'Strikethrough' && c === '~') ||
      (top === 'Spoiler' && c === '|' && next === '|') ||
      (top === 'Code' && c === '`') ||
      ((top === 'Pre' || top === 'PreCode') && text.startsWith('```', i)) ||
      ((top === 'TextUrl' || top === 'CustomEmoji') && c === ']');
    if (closes) {
      stack.pop();
      i += top === 'Underline' || top === 'Spoiler' ? 2 : top === 'Pre' || top === 'PreCode' ? 3 : 1;
      if ((top === 'TextUrl' || top === 'CustomEmoji') && text[i] === '(') {
        const urlStart = i + 1;
        let j = urlStart;
        while (j < text.length && text[j] !== ')') j += text[j] === '\\' ? 2 : 1;
        if (j >= text.length) {
          throw err(`Can't find end of a ${top === 'CustomEmoji' ? 'custom emoji ' : ''}URL at byte offset ${byteOffset(text, urlStart)}`);
        }
        i = j + 1;
      } else if (top === 'CustomEmoji') {
        throw err('Custom emoji entity must contain a tg://emoji URL');
      }
      continue;
    }
    if (inCode) {
      out += c; // a lone '`' inside a ``` block
      i++;
      continue;
    }
    const begin = i;
    let type: MdEntity;
    if (c === '_') {
      type = next === '_' ? 'Underline' : 'Italic';
      i += type === 'Underline' ? 2 : 1;
    } else if (c === '*' || c === '~' || c === '[') {
      type = c === '*' ? 'Bold' : c === '~' ? 'Strikethrough' : 'TextUrl';
      i++;
    } else if (c === '|' && next === '|') {
      type = 'Spoiler';
      i += 2;
    } else if (c === '!' && next === '[') {
      type = 'CustomEmoji';
      i += 2;
    } else if (c === '`' && text.startsWith('```', i)) {
      i += 3;
      type = 'Pre';
      let j = i; // optional language: a word ended by whitespace
      while (j < text.length && !/\s/.test(text[j]) && text[j] !== '`') j++;
      if (j > i && j < text.length && /\s/.test(text[j])) {
        type = 'PreCode';
        i = j;
        if (text[i] === '\n' || text[i] === '\r') {
          i++;
          if ((text[i] === '\n' || text[i] === '\r') && text[i] !== text[i - 1]) i++;
        }
      }
    } else if (c === '`') {
      type = 'Code';
      i++;
    } else {
      throw reserved(c);
    }
    stack.push({ type, at: begin });
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) throw err(`Can't find end of ${unclosed.type} entity at byte offset ${byteOffset(text, unclosed.at)}`);
  return out;
}

// ---------------------------------------------------------------- legacy Markdown

export function parseMarkdown(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '\\' && '_*`['.includes(text[i + 1] ?? '\u0000')) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (!'_*`['.includes(c)) {
      out += c;
      i++;
      continue;
    }
    const begin = i;
    const fenced = text.startsWith('```', i);
    const closing = c === '[' ? ']' : fenced ? '```' : c;
    i += fenced ? 3 : 1;
    const end = text.indexOf(closing, i);
    if (end < 0) throw err(`Can't find end of the entity starting at byte offset ${byteOffset(text, begin)}`);
    let inner = text.slice(i, end);
    const newline = inner.indexOf('\n');
    if (fenced && newline >= 0 && !/\s/.test(inner.slice(0, newline))) inner = inner.slice(newline + 1);
    i = end + closing.length;
    if (c === '[' && text[i] === '(') {
      const close = text.indexOf(')', i);
      if (close >= 0) i = close + 1;
    }
    out += inner;
  }
  return out;
}
