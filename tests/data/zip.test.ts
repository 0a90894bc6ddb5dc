/**
 * ZIP uploads are untrusted: a few megabytes can inflate to gigabytes. The archives here are
 * built byte by byte so they can lie (sizes in the headers) and compress absurdly (runs of one
 * byte), with small caps so a "bomb" stays a few megabytes of work.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DataError, type FileProblem } from '../../src/core/errors.ts';
import { readDatasetFiles } from '../../src/data/index.ts';
import { ProblemLog } from '../../src/data/csv/problems.ts';
import { bufferSources, DEFAULT_ZIP_LIMITS, type ZipLimits } from '../../src/data/csv/sources.ts';
import { InflateBudget, inflateEntry, listZipEntries, ZipError } from '../../src/data/csv/zip.ts';
import { DATA_ERRORS } from '../../src/messages.ts';
import { FILES } from './helpers.ts';

const MB = 1024 * 1024;
const DEMO_DIR = path.resolve(process.cwd(), 'data');

interface RawEntry {
  name: string;
  content: Uint8Array;
  /** Default: deflate. */
  stored?: boolean;
  /** What the headers claim; default the truth. */
  declaredSize?: number;
}

/** A ZIP written field by field, so a test decides what the headers say. */
function rawZip(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = e.stored ? Buffer.from(e.content) : deflateRawSync(e.content);
    const size = e.declaredSize ?? e.content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6); // UTF-8 name
    local.writeUInt16LE(e.stored ? 0 : 8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x800, 8);
    cd.writeUInt16LE(e.stored ? 0 : 8, 10);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, data);
    central.push(cd, name);
    offset += local.length + name.length + data.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

/** A CSV header followed by blank lines: deflates ~1000:1 and a CSV reader would read to the end. */
const bombCsv = (bytes: number) => Buffer.concat([Buffer.from('id,x\n'), Buffer.alloc(bytes - 5, '\n')]);

const SMALL: ZipLimits = { maxTotalBytes: 8 * MB, maxEntryBytes: 4 * MB, maxEntries: 20 };

/** Reads every source the way ingest does (one after the other, to the end) and returns the problems it was refused with. */
async function refusal(files: Record<string, Uint8Array>, limits: ZipLimits): Promise<{ problems: FileProblem[]; bytesRead: number }> {
  const log = new ProblemLog();
  const sources = bufferSources(files, log, limits);
  let bytesRead = 0;
  try {
    for (const src of Object.values(sources)) for await (const chunk of src.open()) bytesRead += chunk.length;
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return { problems: e.problems, bytesRead };
  }
  throw new Error(`not refused; problems: ${JSON.stringify(log.list())}`);
}

const demo = Object.fromEntries(FILES.map((f) => [f, readFileSync(path.join(DEMO_DIR, f))]));
/** The four demo files, some of them replaced: only the replaced ones can be the problem. */
const demoWith = (...replaced: RawEntry[]): RawEntry[] =>
  FILES.map((f) => replaced.find((e) => path.posix.basename(e.name) === f) ?? { name: f, content: demo[f] });

describe('ZIP uploads within caps', () => {
  it('has the documented defaults: 1 GB in all, 512 MB per entry, 1000 entries, 100× past 16 MB', () => {
    expect(DEFAULT_ZIP_LIMITS).toEqual({ maxTotalBytes: 1024 * MB, maxEntryBytes: 512 * MB, maxEntries: 1000, maxRatio: { ratio: 100, afterBytes: 16 * MB } });
  });

  it('stops an entry that inflates past the ratio cap after a few megabytes, long before the size caps', async () => {
    const bomb = rawZip(demoWith({ name: 'market_money.csv', content: bombCsv(6 * MB) }));
    const { problems, bytesRead } = await refusal({ 'bomb.zip': bomb }, { ...SMALL, maxEntryBytes: 8 * MB, maxRatio: { ratio: 100, afterBytes: 2 * MB } });
    expect(problems).toEqual([{ file: 'market_money.csv', line: 0, message: DATA_ERRORS.zipRatioTooHigh(100) }]);
    expect(DATA_ERRORS.zipRatioTooHigh(100)).toContain('больше чем в 100 раз ');
    // The other demo files (a few hundred KB) and 2 MB of the bomb: not its 6 MB.
    expect(bytesRead).toBeLessThan(3 * MB);
  });

  it('lets real CSV exports through the ratio cap: they deflate 3–12×', async () => {
    const files = Object.fromEntries(FILES.map((f) => [`demo/${f}`, new Uint8Array(demo[f])]));
    const loose = await readDatasetFiles(demo);
    const zipped = await readDatasetFiles({ 'demo.zip': Buffer.from(zipSync(files, { level: 9 })) }, { zipLimits: { ...SMALL, maxRatio: { ratio: 20, afterBytes: 0 } } });
    expect(zipped.customers).toEqual(loose.customers);
  });

  it('reads a normal ZIP of the four demo CSVs, stored or deflated, like the loose files', async () => {
    const loose = await readDatasetFiles(demo);
    const deflated = await readDatasetFiles({ 'demo.zip': Buffer.from(zipSync(Object.fromEntries(FILES.map((f) => [`demo/${f}`, new Uint8Array(demo[f])])))) });
    const stored = await readDatasetFiles({ 'demo.zip': rawZip(FILES.map((f) => ({ name: f, content: demo[f], stored: true }))) });
    expect(loose.customers.length).toBeGreaterThan(0);
    expect(deflated.customers).toEqual(loose.customers);
    expect(stored.customers).toEqual(loose.customers);
  });

  it('refuses entries each under the per-entry cap that together pass the total cap', async () => {
    const bomb = rawZip(demoWith(...['market_file.csv', 'market_money.csv', 'market_time.csv'].map((name) => ({ name, content: bombCsv(3 * MB) }))));
    expect(bomb.length).toBeLessThan(50_000);
    const { problems, bytesRead } = await refusal({ 'bomb.zip': bomb }, SMALL);
    expect(problems).toEqual([{ file: 'bomb.zip', line: 0, message: DATA_ERRORS.zipTotalTooLarge(8) }]);
    // Stopped at the cap, not after inflating everything.
    expect(bytesRead).toBeLessThanOrEqual(8 * MB);
  });

  it('refuses an entry that inflates past the per-entry cap although its header says 100 bytes', async () => {
    const liar = rawZip(demoWith({ name: 'data/money.csv', content: bombCsv(6 * MB), declaredSize: 100 }));
    expect(listZipEntries(liar).find((e) => e.name === 'data/money.csv')?.declaredSize).toBe(100);
    const { problems, bytesRead } = await refusal({ 'liar.zip': liar }, SMALL);
    expect(problems).toEqual([{ file: 'money.csv', line: 0, message: DATA_ERRORS.zipTooLarge(4) }]);
    expect(bytesRead).toBeLessThanOrEqual(4 * MB);
  });

  it('refuses an entry whose header declares more than the per-entry cap before inflating it', async () => {
    const honest = rawZip([{ name: 'money.csv', content: Buffer.from('id\n1\n'), declaredSize: 5 * MB }]);
    const log = new ProblemLog();
    const sources = bufferSources({ 'big.zip': honest }, log, SMALL);
    expect(sources.money).toBeUndefined();
    expect(log.list()[0]).toEqual({ file: 'money.csv', line: 0, message: DATA_ERRORS.zipTooLarge(4) });
  });

  it('refuses an archive with more entries than the cap, through the real reader and its default', async () => {
    const many = zipSync(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`junk/${i}.txt`, new Uint8Array(1)])));
    const error = await readDatasetFiles({ 'many.zip': Buffer.from(many) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).problems[0]).toEqual({ file: 'many.zip', line: 0, message: DATA_ERRORS.zipTooManyEntries(1000) });
  });

  it('refuses damaged deflate data behind a valid directory as a broken archive', async () => {
    const good = rawZip(demoWith({ name: 'market_file.csv', content: demo['market_file.csv'] }));
    const broken = Buffer.from(good);
    const dataStart = 30 + 'market_file.csv'.length;
    broken.fill(0xff, dataStart, dataStart + 20); // 0xff... is no valid block header
    const { problems } = await refusal({ 'broken.zip': broken }, SMALL);
    expect(problems).toEqual([{ file: 'broken.zip', line: 0, message: DATA_ERRORS.badZip }]);
  });

  it('shares the total across the archives of one upload', async () => {
    const half = (name: string) => rawZip([{ name, content: bombCsv(3 * MB) }]);
    const { problems } = await refusal(
      { 'a.zip': half('market_file.csv'), 'b.zip': half('market_money.csv'), 'c.zip': half('market_time.csv'), 'money.csv': demo['money.csv'] },
      SMALL,
    );
    expect(problems).toEqual([{ file: 'c.zip', line: 0, message: DATA_ERRORS.zipTotalTooLarge(8) }]);
  });
});

describe('inflateEntry', () => {
  it('counts the bytes that come out and stops within a chunk of the cap', async () => {
    const zip = rawZip([{ name: 'x.csv', content: Buffer.alloc(10 * MB), declaredSize: 1 }]);
    const [entry] = listZipEntries(zip);
    const budget = new InflateBudget({ maxTotalBytes: 100 * MB, maxEntryBytes: 2 * MB, maxEntries: 10 });
    let seen = 0;
    const error = await (async () => {
      for await (const chunk of inflateEntry(zip, entry, budget)) seen += chunk.length;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZipError);
    expect((error as ZipError).kind).toBe('entryTooLarge');
    expect(seen).toBeGreaterThan(2 * MB - 64 * 1024);
    expect(seen).toBeLessThanOrEqual(2 * MB);
  });

  it('leaves the event loop free while inflating: a callback queued before reading runs before the last chunk', async () => {
    const zip = rawZip([{ name: 'x.csv', content: bombCsv(4 * MB) }]);
    const [entry] = listZipEntries(zip);
    let immediateRan = false;
    setImmediate(() => {
      immediateRan = true;
    });
    let ranBeforeLast = false;
    let chunks = 0;
    for await (const _ of inflateEntry(zip, entry)) {
      chunks++;
      ranBeforeLast = immediateRan;
    }
    expect(chunks).toBeGreaterThan(1);
    // ranBeforeLast is what was seen at the last chunk: an inflate that ran to the end in one go would still see false.
    expect(ranBeforeLast).toBe(true);
  });
});

describe('the configured cap (UPLOAD_MAX_UNZIPPED_MB)', () => {
  it('reaches the reader the upload path uses', async () => {
    const { createCsvDatasetReader } = await import('../../src/data/index.ts');
    const entries = Object.fromEntries(FILES.map((f) => [f, new Uint8Array(readFileSync(path.join('data', f)))]));
    const zip = { 'выгрузка.zip': Buffer.from(zipSync(entries)) };
    const total = Object.values(entries).reduce((n, e) => n + e.length, 0);
    const roomy = createCsvDatasetReader({ zipLimits: { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: total * 2 } });
    expect((await roomy.readFiles(zip)).customers.length).toBeGreaterThan(0);
    const tight = createCsvDatasetReader({ zipLimits: { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: Math.floor(total / 2) } });
    await expect(tight.readFiles(zip)).rejects.toBeInstanceOf(DataError);
  });
});
