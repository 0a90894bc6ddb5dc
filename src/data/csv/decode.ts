/**
 * Byte → text for CSV files of unknown origin: encoding sniffing (UTF-8 with or without BOM,
 * Windows-1251 as Excel writes it, UTF-16 as Excel's «Unicode text» writes it), streaming
 * decoding, and line-ending normalisation (CRLF, LF, CR or a mix → LF).
 */
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

export type Encoding = 'utf-8' | 'utf-8-bom' | 'windows-1251' | 'utf-16le' | 'utf-16be';
export type LineEnding = 'CRLF' | 'LF' | 'CR' | 'mixed' | 'none';

export type Sniffed = { kind: 'text'; encoding: Encoding; asciiOnly: boolean } | { kind: 'binary' };

/** Bytes looked at to decide the encoding. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Decides how a file is encoded from its first bytes. `complete` says the sample is the whole
 * file (so a multi-byte character cut at the end of the sample is not an excuse).
 */
export function sniffEncoding(sample: Uint8Array, complete: boolean): Sniffed {
  const n = sample.length;
  if (n >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { kind: 'text', encoding: 'utf-8-bom', asciiOnly: false };
  if (n >= 2 && sample[0] === 0xff && sample[1] === 0xfe) return { kind: 'text', encoding: 'utf-16le', asciiOnly: false };
  if (n >= 2 && sample[0] === 0xfe && sample[1] === 0xff) return { kind: 'text', encoding: 'utf-16be', asciiOnly: false };

  let zerosEven = 0;
  let zerosOdd = 0;
  let control = 0;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const b = sample[i];
    if (b === 0) {
      if (i & 1) zerosOdd++;
      else zerosEven++;
    } else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
    else if (b >= 0x80) ascii = false;
  }
  const half = n / 2;
  // UTF-16 without a BOM: Cyrillic and ASCII text leave a zero in every other byte.
  if (half >= 4 && zerosOdd > 0.3 * half && zerosEven < 0.05 * half) return { kind: 'text', encoding: 'utf-16le', asciiOnly: false };
  if (half >= 4 && zerosEven > 0.3 * half && zerosOdd < 0.05 * half) return { kind: 'text', encoding: 'utf-16be', asciiOnly: false };
  if (zerosEven + zerosOdd > 0 || control > n * 0.005) return { kind: 'binary' };
  if (ascii) return { kind: 'text', encoding: 'utf-8', asciiOnly: true };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return { kind: 'text', encoding: 'utf-8', asciiOnly: false };
  } catch {
    return { kind: 'text', encoding: 'windows-1251', asciiOnly: false };
  }
}

/** Thrown by StreamDecoder when bytes are not valid in the detected encoding. */
export class EncodingProblem extends Error {
  /** Text of the piece before the first invalid byte (to find the line it is on). */
  constructor(readonly textBefore: string) {
    super('invalid UTF-8');
  }
}

/**
 * Offset of the first byte that cannot be UTF-8. Continuation bytes at the very start are
 * taken to finish a character begun in the previous piece.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < b.length && (b[i] & 0xc0) === 0x80) i++;
  while (i < b.length) {
    const c = b[i];
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= b.length) return b.length; // cut at the end: the next piece decides
      if ((b[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return b.length;
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * Incremental decoder. A file that looked like plain ASCII in its sample and turns out to hold
 * Windows-1251 bytes later switches to Windows-1251 (nothing non-ASCII was decoded before, so
 * nothing decoded so far changes); any other invalid UTF-8 is an EncodingProblem.
 */
export class StreamDecoder {
  private utf8: TextDecoder | null = null;
  private legacy: iconv.DecoderStream | null = null;
  private asciiSoFar: boolean;

  constructor(
    public encoding: Encoding,
    asciiOnly: boolean,
  ) {
    this.asciiSoFar = asciiOnly;
    if (encoding === 'utf-8' || encoding === 'utf-8-bom') this.utf8 = new TextDecoder('utf-8', { fatal: true });
    else this.legacy = iconv.getDecoder(encoding === 'windows-1251' ? 'win1251' : encoding);
  }

  write(bytes: Uint8Array): string {
    if (this.legacy) return this.legacy.write(asBuffer(bytes));
    try {
      const text = this.utf8!.decode(bytes, { stream: true });
      if (this.asciiSoFar && !isAscii(bytes)) this.asciiSoFar = false;
      return text;
    } catch {
      if (!this.asciiSoFar) {
        const before = bytes.subarray(0, firstInvalidUtf8(bytes));
        throw new EncodingProblem(new TextDecoder('utf-8').decode(before));
      }
      this.encoding = 'windows-1251';
      this.utf8 = null;
      this.legacy = iconv.getDecoder('win1251');
      return this.legacy.write(asBuffer(bytes));
    }
  }

  end(): string {
    if (this.legacy) return this.legacy.end() ?? '';
    try {
      return this.utf8!.decode();
    } catch {
      throw new EncodingProblem('');
    }
  }
}

function countOf(s: string, needle: string): number {
  let n = 0;
  for (let i = s.indexOf(needle); i !== -1; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * Tracks line ends across chunk boundaries and rewrites CR LF and lone CR as LF — except in a
 * chunk that is pure CR LF, which is left as it is (`crlf` true) because splitting on CR LF
 * directly is much cheaper than rewriting hundreds of megabytes.
 */
export class NewlineNormalizer {
  private crlfCount = 0;
  private loneLf = 0;
  private loneCr = 0;
  private pendingCr = false;

  /** Normalised text; `crlf` says it was left with CR LF line ends (pure CR LF chunk). */
  push(text: string, final = false): { text: string; crlf: boolean } {
    if (this.pendingCr) {
      text = '\r' + text;
      this.pendingCr = false;
    }
    if (!final && text.endsWith('\r')) {
      this.pendingCr = true;
      text = text.slice(0, -1);
    }
    const lf = countOf(text, '\n');
    let cr = 0;
    let both = 0;
    for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
      cr++;
      if (text.charCodeAt(i + 1) === 10) both++;
    }
    if (cr === 0) {
      this.loneLf += lf;
      return { text, crlf: false };
    }
    this.crlfCount += both;
    this.loneLf += lf - both;
    this.loneCr += cr - both;
    if (both === lf && both === cr) return { text, crlf: true };
    return { text: toLf(text), crlf: false };
  }

  get lineEnding(): LineEnding {
    const kinds = [this.crlfCount > 0, this.loneLf > 0, this.loneCr > 0].filter(Boolean).length;
    if (kinds === 0) return 'none';
    if (kinds > 1) return 'mixed';
    return this.crlfCount ? 'CRLF' : this.loneLf ? 'LF' : 'CR';
  }
}

export const toLf = (text: string): string => text.replace(/\r\n?/g, '\n');
