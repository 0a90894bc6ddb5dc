/**
 * Bulk inserts through COPY … FROM STDIN (pg-copy-streams): rows stream to the server a few
 * hundred kilobytes at a time, with the socket's backpressure — a million customers never sit in
 * memory as one statement. Text format by default; the tables loaded a million rows at a time
 * (customers, scores, segment members) use the binary format, which spares both sides the
 * number ↔ text conversions (17 doubles a customer), with values checked as the text path checks them.
 */
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null | undefined;

const ROWS_PER_CHUNK = 2000;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY text format: tab-separated, `\N` for NULL, backslash escapes. NaN is NULL, as SQLite binds it. */
function field(v: CopyValue): string {
  if (typeof v === 'number') return Number.isNaN(v) ? '\\N' : String(v);
  if (typeof v === 'string') {
    // Most text (codes, categories) needs no escape: test once instead of scanning with a replacer.
    return NEEDS_ESCAPE.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
  }
  if (v === null || v === undefined) return '\\N';
  return v ? 't' : 'f';
}

/** One row's line, without the arrays a map and a join would build per row (a million rows per upload). */
function line(r: readonly CopyValue[]): string {
  let out = r.length ? field(r[0]) : '';
  for (let i = 1; i < r.length; i++) out += '\t' + field(r[i]);
  return out + '\n';
}

function* chunks(rows: Iterable<readonly CopyValue[]>): Generator<string> {
  let chunk = '';
  let n = 0;
  for (const r of rows) {
    chunk += line(r);
    if (++n === ROWS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      n = 0;
    }
  }
  if (chunk) yield chunk;
}

/**
 * Copies rows into `table (columns)` on the client's connection (inside its transaction, if any);
 * returns the row count. Each row is formatted before the next is asked for, so a generator may
 * yield one reused array.
 */
export async function copyRows(client: pg.ClientBase, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks(rows)), stream);
  return stream.rowCount;
}

// ---------------------------------------------------------------- binary format

/** Column types the binary writer encodes; each must be the column's own type (the server checks). */
export type BinaryType = 'int8' | 'int4' | 'int2' | 'float8' | 'text';

const BINARY_CHUNK_BYTES = 1 << 19;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const INT_RANGE: Record<'int8' | 'int4' | 'int2', [number, number]> = {
  int8: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int4: [-(2 ** 31), 2 ** 31 - 1],
  int2: [-(2 ** 15), 2 ** 15 - 1],
};
const FIXED_BYTES: Record<Exclude<BinaryType, 'text'>, number> = { int8: 8, int4: 4, int2: 2, float8: 8 };

/** The text a value would be written as in text format (field() without escapes): what a text column stores. */
const asText = (v: string | number | boolean) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v ? 't' : 'f');

/**
 * A value the binary writer cannot encode the way the server would have read its text: refused
 * before anything is sent, so the COPY (and its transaction) fails as it would have.
 */
function refuse(column: string, type: BinaryType, v: unknown): never {
  throw new TypeError(`COPY ${column}: ${typeof v} ${String(v)} is not a valid ${type}`);
}

/**
 * Encodes rows into COPY binary chunks of about BINARY_CHUNK_BYTES: `row` hands back a full chunk
 * when the next row would not fit, `end` the rest with the trailer.
 */
class BinaryEncoder {
  private readonly types: BinaryType[];
  private readonly fixed: number;
  private buf = Buffer.allocUnsafe(BINARY_CHUNK_BYTES);
  private pos = 19;

  constructor(private readonly columns: readonly (readonly [string, BinaryType])[]) {
    this.types = columns.map(([, t]) => t);
    this.fixed = this.types.reduce((a, t) => a + 4 + (t === 'text' ? 0 : FIXED_BYTES[t]), 2);
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags
    this.buf.writeInt32BE(0, 15); // header extension length
  }

  row(r: readonly CopyValue[]): Buffer | null {
    const { types, columns, fixed } = this;
    let full: Buffer | null = null;
    if (r.length !== types.length) throw new RangeError(`COPY: a row of ${r.length} values for ${types.length} columns`);
    let need = fixed;
    for (let i = 0; i < types.length; i++) {
      const v = r[i];
      if (types[i] === 'text' && v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) need += 3 * asText(v).length;
    }
    let { buf, pos } = this;
    if (pos + need > buf.length) {
      full = buf.subarray(0, pos);
      buf = this.buf = Buffer.allocUnsafe(Math.max(BINARY_CHUNK_BYTES, need));
      pos = 0;
    }
    buf.writeInt16BE(types.length, pos);
    pos += 2;
    for (let i = 0; i < types.length; i++) {
      const v = r[i];
      const type = types[i];
      // NULL, and NaN as NULL (as SQLite binds it): NOT NULL columns refuse both.
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
        buf.writeInt32BE(-1, pos);
        pos += 4;
        continue;
      }
      if (type === 'text') {
        const n = buf.write(asText(v), pos + 4, 'utf8');
        buf.writeInt32BE(n, pos);
        pos += 4 + n;
        continue;
      }
      if (typeof v !== 'number') refuse(columns[i][0], type, v);
      if (type === 'float8') {
        buf.writeInt32BE(8, pos);
        // + 0 turns -0 into 0, as its text form "0" does.
        buf.writeDoubleBE(v + 0, pos + 4);
        pos += 12;
        continue;
      }
      const [min, max] = INT_RANGE[type];
      if (!Number.isInteger(v) || v < min || v > max) refuse(columns[i][0], type, v);
      if (type === 'int8') {
        const hi = Math.floor(v / 2 ** 32);
        buf.writeInt32BE(8, pos);
        buf.writeInt32BE(hi, pos + 4);
        buf.writeUInt32BE(v - hi * 2 ** 32, pos + 8);
        pos += 12;
      } else if (type === 'int4') {
        buf.writeInt32BE(4, pos);
        buf.writeInt32BE(v, pos + 4);
        pos += 8;
      } else {
        buf.writeInt32BE(2, pos);
        buf.writeInt16BE(v, pos + 4);
        pos += 6;
      }
    }
    this.pos = pos;
    return full;
  }

  end(): Buffer {
    let { buf, pos } = this;
    let rest: Buffer | null = null;
    if (pos + 2 > buf.length) {
      rest = buf.subarray(0, pos);
      buf = Buffer.allocUnsafe(2);
      pos = 0;
    }
    buf.writeInt16BE(-1, pos); // trailer
    const last = buf.subarray(0, pos + 2);
    return rest ? Buffer.concat([rest, last]) : last;
  }
}

function* binaryChunks(columns: readonly (readonly [string, BinaryType])[], rows: Iterable<readonly CopyValue[]>): Generator<Buffer> {
  const encoder = new BinaryEncoder(columns);
  for (const r of rows) {
    const full = encoder.row(r);
    if (full) yield full;
  }
  yield encoder.end();
}

/**
 * Copies rows into `table` in COPY's binary format; `columns` pairs each column with its type.
 * Values are checked as the server checks their text: NaN is NULL, an integer column takes only
 * integers in its range (anything else throws before the row is sent), -0 is stored as 0. Rows
 * may be one reused array, as for copyRows.
 */
export async function copyBinary(
  client: pg.ClientBase,
  table: string,
  columns: readonly (readonly [string, BinaryType])[],
  rows: Iterable<readonly CopyValue[]>,
): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.map(([c]) => c).join(', ')}) FROM STDIN WITH (FORMAT binary)`));
  await pipeline(Readable.from(binaryChunks(columns, rows)), stream);
  return stream.rowCount;
}

/** A binary COPY fed one row at a time, for rows produced while something else is still being read. */
export interface BinaryCopyWriter {
  /** Encodes the row (it may be reused after the call) and sends it once a chunk is full. */
  write(r: readonly CopyValue[]): void;
  /** Resolves when the connection has taken what was sent; rejects once the COPY has failed. */
  ready(): Promise<void>;
  /** Sends the rest, ends the COPY and returns its row count. */
  end(): Promise<number>;
  /** Cancels the COPY (the server discards its rows, and the transaction stays usable for its ROLLBACK). */
  abort(): Promise<void>;
}

export function binaryCopyWriter(client: pg.ClientBase, table: string, columns: readonly (readonly [string, BinaryType])[]): BinaryCopyWriter {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.map(([c]) => c).join(', ')}) FROM STDIN WITH (FORMAT binary)`));
  const encoder = new BinaryEncoder(columns);
  let failure: Error | null = null;
  stream.on('error', (e: Error) => {
    failure ??= e;
  });
  return {
    write(r) {
      const full = encoder.row(r);
      if (full && !failure) stream.write(full);
    },
    ready() {
      if (failure) return Promise.reject(failure);
      if (!stream.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (e?: Error) => {
          stream.off('drain', done);
          stream.off('error', done);
          if (e) reject(e);
          else resolve();
        };
        stream.on('drain', done);
        stream.on('error', done);
      });
    },
    async end() {
      if (failure) throw failure;
      stream.end(encoder.end());
      await finished(stream);
      return stream.rowCount;
    },
    async abort() {
      stream.destroy(new Error('the data set was not stored'));
      await finished(stream).catch(() => {});
    },
  };
}
