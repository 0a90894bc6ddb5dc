/**
 * Streams one CSV file row by row: sniffs the encoding, decodes incrementally, normalises
 * line ends, detects the separator from the header and hands rows with their 1-based line
 * numbers (header = line 1) to a sink. Never holds the whole file as one string.
 */
import Papa from 'papaparse';
import { DATA_ERRORS } from '../../messages.ts';
import { EncodingProblem, NewlineNormalizer, SNIFF_BYTES, StreamDecoder, sniffEncoding, toLf, type Encoding, type LineEnding } from './decode.ts';
import type { ProblemLog } from './problems.ts';
import { CsvRecord } from './record.ts';

export type Separator = ',' | ';' | '\t';

export interface CsvFormat {
  encoding: Encoding;
  separator: Separator;
  lineEnding: LineEnding;
}

export interface CsvSink {
  /** The header fields; return false when the header is unusable and rows should not be delivered. */
  header(fields: string[]): boolean;
  /** A data row as strings, for simple consumers; not called when `record` is given. */
  row?(fields: string[], line: number): void;
  /** A data row read in place; the record is reused for the next row, so it is valid only during the call. */
  record?(rec: CsvRecord, line: number): void;
  /** A row refused before delivery (e.g. wrong field count), already reported. */
  rejected?(fields: string[], line: number): void;
  /** All rows have been delivered. */
  end?(): void;
  /** A promise to wait for before the next chunk of the file is parsed (a consumer's backpressure), or undefined. */
  ready?(): Promise<void> | undefined;
}

/** Hands a data row to the sink in the form it takes. */
export function deliver(sink: CsvSink, rec: CsvRecord, line: number): void {
  if (sink.record) sink.record(rec, line);
  else sink.row?.(rec.fields(), line);
}

export interface CsvResult {
  /** Null when the file could not be read as text at all. */
  format: CsvFormat | null;
  /** Non-empty data lines after the header. */
  dataRows: number;
  headerFound: boolean;
}

/**
 * Bytes decoded and parsed at a time. Small enough that the decoded string (up to twice as
 * many bytes for Cyrillic) stays a regular young-generation object: megabyte strings go to
 * V8's large-object space, one mmap each, and cost more in the kernel than in the parser.
 */
const PIECE_BYTES = 48 * 1024;

/** A single CSV record longer than this is treated as an unclosed quote, not buffered forever. */
const MAX_RECORD_CHARS = 1 << 20;

/** Separator of a header line: the most frequent of `;`, tab and `,` outside quotes (`,` on a tie or none). */
export function detectSeparator(headerLine: string): Separator {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  let best: Separator = ',';
  for (const s of [';', '\t'] as const) if (counts[s] > counts[best]) best = s;
  return best;
}

function isBlankRecord(rec: CsvRecord): boolean {
  for (let i = 0; i < rec.length; i++) if (!rec.isBlank(i)) return false;
  return true;
}

/**
 * Splits text holding no quote character into records exactly as papaparse does in that case
 * (rows on `newline`, fields on `separator`, the text after the last newline kept back unless
 * `final`), filling one reused record instead of arrays of strings. Returns the kept-back text.
 */
export function splitQuoteless(input: string, newline: string, separator: Separator, final: boolean, rec: CsvRecord, onRecord: () => void): string {
  if (input === '') return '';
  // indexOf searches natively, several times faster than a charCodeAt loop; the next separator
  // is carried from row to row so no text is searched twice.
  let nextSep = input.indexOf(separator);
  for (let start = 0; ; ) {
    let end = input.indexOf(newline, start);
    if (end === -1) {
      if (!final) return input.slice(start);
      end = input.length;
    }
    rec.reset(input);
    let from = start;
    for (; nextSep !== -1 && nextSep < end; nextSep = input.indexOf(separator, from)) {
      rec.add(from, nextSep);
      from = nextSep + 1;
    }
    rec.add(from, end);
    onRecord();
    if (end === input.length) return '';
    start = end + newline.length;
  }
}

function countNewlines(row: string[]): number {
  let n = 0;
  for (const f of row) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  return n;
}

/** Pulls at least SNIFF_BYTES (or everything) from the byte stream, then yields the rest. */
async function* withSample(chunks: AsyncIterable<Uint8Array>, onSample: (sample: Uint8Array, complete: boolean) => void): AsyncGenerator<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    size += r.value.length;
  }
  const sample = head.length === 1 ? head[0] : Buffer.concat(head);
  onSample(sample.subarray(0, Math.min(sample.length, done ? sample.length : SNIFF_BYTES)), done && sample.length <= SNIFF_BYTES);
  if (sample.length) yield sample;
  if (done) return;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

export async function readCsv(file: string, chunks: AsyncIterable<Uint8Array>, sink: CsvSink, problems: ProblemLog): Promise<CsvResult> {
  let sniffed: ReturnType<typeof sniffEncoding> | null = null;
  let totalBytes = 0;
  const bytes = withSample(chunks, (sample, complete) => {
    sniffed = sniffEncoding(sample, complete);
  });

  const newlines = new NewlineNormalizer();
  let decoder: StreamDecoder | null = null;
  let separator: Separator | null = null;
  let lfParser: Papa.Parser | null = null;
  let crlfParser: Papa.Parser | null = null;
  let pending = '';
  let line = 1; // line number of the next row to come out of the parser
  let headerFound = false;
  let deliverRows = true;
  let dataRows = 0;
  let stopped = false;

  const rec = new CsvRecord();
  /** The record in `rec`, spanning 1 + `breaks` lines; `error` when papaparse refused its quoting. */
  const handleRecord = (breaks: number, error?: Papa.ParseError) => {
    const rowLine = line;
    line += 1 + breaks;
    if (isBlankRecord(rec)) return;
    if (!headerFound) {
      headerFound = true;
      deliverRows = sink.header(rec.fields());
      return;
    }
    dataRows++;
    if (error) {
      problems.add(file, rowLine, error.code === 'MissingQuotes' ? DATA_ERRORS.unclosedQuote : DATA_ERRORS.badQuotes);
      return;
    }
    if (deliverRows) deliver(sink, rec, rowLine);
  };
  const handleQuoteless = () => handleRecord(0);

  /** Parses `input` (the carried-over partial record and the new text) and returns the new partial record. */
  const parse = (input: string, final: boolean, crlf: boolean, hasQuotes: boolean): string => {
    if (!hasQuotes) return splitQuoteless(input, crlf ? '\r\n' : '\n', separator!, final, rec, handleQuoteless);
    const res = (crlf ? crlfParser! : lfParser!).parse(input, 0, !final) as Papa.ParseResult<string[]>;
    const badRows = new Map<number, Papa.ParseError>();
    for (const e of res.errors) if (typeof e.row === 'number') badRows.set(e.row, e);
    for (let i = 0; i < res.data.length; i++) {
      rec.setFields(res.data[i]);
      handleRecord(countNewlines(res.data[i]), badRows.get(i));
    }
    return final ? '' : input.slice(res.meta.cursor);
  };

  /**
   * Takes decoded text. A pure CR LF chunk is parsed on CR LF as it is (cheaper than rewriting
   * it), anything else on LF after rewriting; the carried-over partial record is brought to the
   * same form first.
   */
  const feed = (chunk: { text: string; crlf: boolean }, final: boolean) => {
    if (stopped) return;
    const crlf = chunk.crlf && pending.indexOf('\n') === -1;
    // Checked on the two flat strings: asking the concatenation would flatten it first.
    const hasQuotes = chunk.text.indexOf('"') !== -1 || pending.indexOf('"') !== -1;
    pending = crlf ? pending + chunk.text : toLf(pending) + (chunk.crlf ? toLf(chunk.text) : chunk.text);
    if (!lfParser) {
      const probe = toLf(pending);
      const nl = probe.indexOf('\n');
      if (nl === -1 && !final && probe.length < MAX_RECORD_CHARS) return;
      separator = detectSeparator(nl === -1 ? probe : probe.slice(0, nl));
      lfParser = new Papa.Parser({ delimiter: separator, newline: '\n', quoteChar: '"' });
      crlfParser = new Papa.Parser({ delimiter: separator, newline: '\r\n', quoteChar: '"' });
    }
    pending = parse(pending, final, crlf, hasQuotes);
    if (pending.length > MAX_RECORD_CHARS) {
      problems.add(file, line, DATA_ERRORS.lineTooLong);
      stopped = true;
    }
  };

  try {
    for await (const chunk of bytes) {
      totalBytes += chunk.length;
      if (!decoder) {
        const s = sniffed as ReturnType<typeof sniffEncoding> | null;
        if (!s || s.kind === 'binary') {
          problems.add(file, 0, DATA_ERRORS.notText);
          return { format: null, dataRows: 0, headerFound: false };
        }
        decoder = new StreamDecoder(s.encoding, s.asciiOnly);
      }
      for (let at = 0; at < chunk.length && !stopped; at += PIECE_BYTES) {
        feed(newlines.push(decoder.write(chunk.subarray(at, Math.min(chunk.length, at + PIECE_BYTES)))), false);
      }
      if (stopped) break;
      const ready = sink.ready?.();
      if (ready) await ready;
    }
    if (!stopped && decoder) feed(newlines.push(decoder.end(), true), true);
  } catch (e) {
    if (!(e instanceof EncodingProblem)) throw e;
    const breaks = (t: string) => t.match(/\r\n|\r|\n/g)?.length ?? 0;
    problems.add(file, line + breaks(pending) + breaks(e.textBefore), DATA_ERRORS.badEncoding);
    stopped = true;
  }

  if (totalBytes === 0 || (!headerFound && !stopped)) {
    problems.add(file, 0, DATA_ERRORS.emptyFile);
  } else if (headerFound && dataRows === 0 && !stopped && deliverRows) {
    problems.add(file, 0, DATA_ERRORS.headerOnly);
  }
  const format = decoder && separator ? { encoding: decoder.encoding, separator, lineEnding: newlines.lineEnding } : null;
  if (headerFound && deliverRows) sink.end?.();
  return { format, dataRows, headerFound };
}
