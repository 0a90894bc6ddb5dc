/**
 * A ZIP reader for untrusted uploads. An archive of a few megabytes can inflate to gigabytes
 * (a "ZIP bomb"), so nothing here trusts the sizes the archive declares: entries are inflated as
 * streams, the bytes that actually come out are counted, and reading stops the moment a cap is
 * passed. Inflation runs in zlib's thread pool (node:zlib's asynchronous streams), so the event
 * loop only sees one chunk at a time and stays free for other chats; the stream's backpressure
 * keeps at most a couple of chunks in memory however fast zlib could go.
 *
 * Only what a data upload needs: stored and deflated entries, ZIP64 sizes and offsets, UTF-8 or
 * legacy names. Encrypted entries and other methods are refused as corrupt.
 */
import { createInflateRaw } from 'node:zlib';

export interface ZipLimits {
  /** Inflated bytes of all the entries read from one upload together. */
  maxTotalBytes: number;
  /** Inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Entries (files and folders) in one archive. */
  maxEntries: number;
  /**
   * Inflated over compressed bytes of one entry, checked once it has produced `afterBytes`: CSV
   * exports deflate 3–12× (the real export, the synthetic 1M set), a bomb up to deflate's ~1000×,
   * so a bomb is stopped after megabytes, not after scanning up to the total cap.
   */
  maxRatio?: { ratio: number; afterBytes: number };
}

/** Default cap on all the bytes inflated from one upload. */
export const DEFAULT_MAX_ZIP_TOTAL_BYTES = 1024 * 1024 * 1024;
/** Default cap on one entry's inflated bytes (the four files are far smaller in practice). */
export const DEFAULT_MAX_ZIP_ENTRY_BYTES = 512 * 1024 * 1024;
/** Default cap on the entries of one archive: a data export has four files, plus some clutter. */
export const DEFAULT_MAX_ZIP_ENTRIES = 1000;

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = {
  maxTotalBytes: DEFAULT_MAX_ZIP_TOTAL_BYTES,
  maxEntryBytes: DEFAULT_MAX_ZIP_ENTRY_BYTES,
  maxEntries: DEFAULT_MAX_ZIP_ENTRIES,
  maxRatio: { ratio: 100, afterBytes: 16 * 1024 * 1024 },
};

export type ZipErrorKind = 'corrupt' | 'tooManyEntries' | 'entryTooLarge' | 'totalTooLarge' | 'ratioTooHigh';

export class ZipError extends Error {
  constructor(
    readonly kind: ZipErrorKind,
    detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  /** Path inside the archive, '/'-separated. */
  name: string;
  /** 0 stored, 8 deflated; anything else cannot be read. */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** What the central directory claims; only a hint, never a limit. */
  declaredSize: number;
  localHeaderOffset: number;
}

/** Whether inflateEntry can read the entry at all. */
export const isReadable = (entry: ZipEntry): boolean => !entry.encrypted && (entry.method === 0 || entry.method === 8);

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64_LOCATOR = 0x07064b50;
const SIG_END64 = 0x06064b50;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
/** zlib's output unit: 64 KiB keeps the per-chunk overhead low and the event loop's slices short. */
const CHUNK = 64 * 1024;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

class Reader {
  private readonly view: DataView;

  constructor(readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Throws unless `size` bytes at `at` lie inside the file. */
  need(at: number, size: number): void {
    if (at < 0 || at + size > this.data.length) throw new ZipError('corrupt', `record at ${at} runs past the end of the file`);
  }

  u16(at: number): number {
    this.need(at, 2);
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    this.need(at, 4);
    return this.view.getUint32(at, true);
  }

  u64(at: number): number {
    this.need(at, 8);
    const n = this.view.getBigUint64(at, true);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('corrupt', `64-bit field at ${at} is out of range`);
    return Number(n);
  }
}

/** The central directory's location, from the end record (or its ZIP64 twin). */
function centralDirectory(r: Reader): { offset: number; size: number } {
  const n = r.data.length;
  let end = -1;
  // The end record is last, after a comment of at most 64 KiB.
  for (let at = n - END_RECORD; at >= Math.max(0, n - END_RECORD - 0xffff); at--) {
    if (r.u32(at) === SIG_END) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new ZipError('corrupt', 'no end of central directory record');
  let size = r.u32(end + 12);
  let offset = r.u32(end + 16);
  if ((size === 0xffffffff || offset === 0xffffffff || r.u16(end + 10) === 0xffff) && end >= 20 && r.u32(end - 20) === SIG_END64_LOCATOR) {
    const end64 = r.u64(end - 20 + 8);
    if (r.u32(end64) !== SIG_END64) throw new ZipError('corrupt', 'bad ZIP64 end record');
    size = r.u64(end64 + 40);
    offset = r.u64(end64 + 48);
  }
  if (offset + size > n) throw new ZipError('corrupt', 'central directory runs past the end of the file');
  return { offset, size };
}

/**
 * The archive's entries, read from its central directory. Records are walked one by one (the
 * entry count the end record states is not trusted), and more than `maxEntries` is refused.
 */
export function listZipEntries(data: Uint8Array, maxEntries: number = DEFAULT_MAX_ZIP_ENTRIES): ZipEntry[] {
  const r = new Reader(data);
  const cd = centralDirectory(r);
  const entries: ZipEntry[] = [];
  for (let at = cd.offset; at < cd.offset + cd.size; ) {
    if (r.u32(at) !== SIG_CENTRAL) throw new ZipError('corrupt', `no central directory record at ${at}`);
    if (entries.length >= maxEntries) throw new ZipError('tooManyEntries', `more than ${maxEntries} entries`);
    const flags = r.u16(at + 8);
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    const nameStart = at + CENTRAL_HEADER;
    r.need(nameStart, nameLength + extraLength + commentLength);
    let declaredSize = r.u32(at + 24);
    let compressedSize = r.u32(at + 20);
    let localHeaderOffset = r.u32(at + 42);
    // ZIP64: the fields set to 0xFFFFFFFF come, in this order, from the 0x0001 extra field.
    for (let x = nameStart + nameLength; x + 4 <= nameStart + nameLength + extraLength; x += 4 + r.u16(x + 2)) {
      if (r.u16(x) !== 0x0001) continue;
      let field = x + 4;
      const next = () => {
        const v = r.u64(field);
        field += 8;
        return v;
      };
      if (declaredSize === 0xffffffff) declaredSize = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      break;
    }
    const nameBytes = data.subarray(nameStart, nameStart + nameLength);
    entries.push({
      name: (flags & 0x800 ? utf8 : latin1).decode(nameBytes),
      method: r.u16(at + 10),
      encrypted: (flags & 1) !== 0,
      compressedSize,
      declaredSize,
      localHeaderOffset,
    });
    at = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Counts inflated bytes for one upload: every entry read through the same budget adds to one
 * total, and each entry has its own cap.
 */
export class InflateBudget {
  private spent = 0;

  constructor(readonly limits: Readonly<ZipLimits> = DEFAULT_ZIP_LIMITS) {}

  /** Adds `n` bytes of `entry` (which has produced `entryBytes` so far, n included). */
  spend(entry: ZipEntry, entryBytes: number, n: number): void {
    this.spent += n;
    if (entryBytes > this.limits.maxEntryBytes) {
      throw new ZipError('entryTooLarge', `${entry.name} inflates past ${this.limits.maxEntryBytes} bytes`);
    }
    if (this.spent > this.limits.maxTotalBytes) {
      throw new ZipError('totalTooLarge', `the upload inflates past ${this.limits.maxTotalBytes} bytes`);
    }
    const cap = this.limits.maxRatio;
    if (cap && entryBytes > cap.afterBytes && entryBytes > cap.ratio * Math.max(1, entry.compressedSize)) {
      throw new ZipError('ratioTooHigh', `${entry.name} inflates more than ${cap.ratio} times its ${entry.compressedSize} compressed bytes`);
    }
  }
}

function compressedData(data: Uint8Array, entry: ZipEntry): Uint8Array {
  if (!isReadable(entry)) throw new ZipError('corrupt', `${entry.name}: unsupported method ${entry.method}${entry.encrypted ? ', encrypted' : ''}`);
  const r = new Reader(data);
  const at = entry.localHeaderOffset;
  if (r.u32(at) !== SIG_LOCAL) throw new ZipError('corrupt', `${entry.name}: no local header at ${at}`);
  const start = at + LOCAL_HEADER + r.u16(at + 26) + r.u16(at + 28);
  const end = start + entry.compressedSize;
  if (end > data.length) throw new ZipError('corrupt', `${entry.name}: data runs past the end of the file`);
  return data.subarray(start, end);
}

async function* inflated(compressed: Uint8Array): AsyncGenerator<Uint8Array> {
  const inflate = createInflateRaw({ chunkSize: CHUNK });
  inflate.end(Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength));
  try {
    // Leaving the loop early (a cap, a consumer that stopped) destroys the stream and frees zlib.
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (e) {
    throw new ZipError('corrupt', `deflate data: ${(e as Error).message}`);
  }
}

async function* stored(compressed: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < compressed.length; i += CHUNK) yield compressed.subarray(i, Math.min(compressed.length, i + CHUNK));
}

/**
 * One entry's bytes as they are inflated, in chunks of at most 64 KiB. Throws ZipError('corrupt')
 * for damaged data, and ZipError('entryTooLarge' | 'totalTooLarge' | 'ratioTooHigh') as soon as
 * the bytes that came out pass a cap of `budget`, whatever the archive declared.
 */
export async function* inflateEntry(data: Uint8Array, entry: ZipEntry, budget: InflateBudget = new InflateBudget()): AsyncGenerator<Uint8Array> {
  const compressed = compressedData(data, entry);
  let produced = 0;
  for await (const chunk of entry.method === 0 ? stored(compressed) : inflated(compressed)) {
    produced += chunk.length;
    budget.spend(entry, produced, chunk.length);
    yield chunk;
  }
}
