/**
 * Where the four files come from: a directory on disk, or in-memory uploads (loose files
 * and/or ZIP archives). Each source is matched to a role by its name and opened as a byte stream.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../../core/errors.ts';
import { DATA_ERRORS } from '../../messages.ts';
import type { ProblemLog } from './problems.ts';
import { ROLES, ROLE_FILE, roleOfFileName, type Role } from './schema.ts';
import {
  DEFAULT_MAX_ZIP_ENTRY_BYTES,
  DEFAULT_ZIP_LIMITS,
  InflateBudget,
  inflateEntry,
  isReadable,
  listZipEntries,
  ZipError,
  type ZipEntry,
  type ZipLimits,
} from './zip.ts';

export { DEFAULT_MAX_ZIP_TOTAL_BYTES, DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip.ts';

export interface FileSource {
  /** Name shown in problems (the file's own name, as the user knows it). */
  name: string;
  /**
   * Size in bytes, or for an archive entry an estimate (used to pre-size per-customer arrays; an
   * archive can lie about sizes, so the estimate is bounded).
   */
  size: number;
  /**
   * The bytes. An archive entry is inflated while it is read; one that turns out damaged or past
   * a cap makes the iteration throw DataError with every problem so far, the archive's included.
   */
  open(): AsyncIterable<Uint8Array>;
}

export type SourceSet = Partial<Record<Role, FileSource>>;

const CHUNK = 1 << 20;
/** Largest file accepted from inside an uploaded archive. */
export const MAX_ZIP_ENTRY_MB = DEFAULT_MAX_ZIP_ENTRY_BYTES / (1024 * 1024);
/** Deflate rarely shrinks CSV text more than this; bounds the size estimate of an entry that claims more. */
const PLAUSIBLE_CSV_RATIO = 16;
const toMb = (bytes: number) => Math.round(bytes / (1024 * 1024));

export function fileSource(filePath: string, size: number): FileSource {
  return { name: path.basename(filePath), size, open: () => createReadStream(filePath, { highWaterMark: CHUNK }) };
}

export function bufferSource(name: string, data: Uint8Array): FileSource {
  return {
    name,
    size: data.length,
    async *open() {
      for (let i = 0; i < data.length; i += CHUNK) yield data.subarray(i, Math.min(data.length, i + CHUNK));
    },
  };
}

function assign(set: SourceSet, role: Role, src: FileSource, problems: ProblemLog): void {
  const existing = set[role];
  if (existing) problems.add(src.name, 0, DATA_ERRORS.duplicateFile(existing.name));
  else set[role] = src;
}

function reportMissing(set: SourceSet, problems: ProblemLog): void {
  for (const role of ROLES) if (!set[role]) problems.add(ROLE_FILE[role], 0, DATA_ERRORS.missingFile);
}

/** Sources of a data set directory; problems for a missing directory or missing files. */
export async function dirSources(dir: string, problems: ProblemLog): Promise<SourceSet> {
  const set: SourceSet = {};
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch {
    problems.add(dir, 0, DATA_ERRORS.dirNotFound(dir));
    return set;
  }
  for (const name of names) {
    const role = roleOfFileName(name);
    if (!role) continue;
    const file = path.join(dir, name);
    assign(set, role, fileSource(file, (await stat(file)).size), problems);
  }
  reportMissing(set, problems);
  return set;
}

export const isZipName = (name: string) => /\.zip$/i.test(name);
export const hasZipMagic = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);

/** Entries of an archive that can be data files: no folders, no macOS metadata, no hidden files. */
function isCandidateEntry(name: string): boolean {
  if (name.endsWith('/')) return false;
  if (name.split('/').some((part) => part === '__MACOSX' || part.startsWith('.'))) return false;
  return roleOfFileName(name) !== null;
}

function zipProblem(e: ZipError, archive: string, entry: string, limits: ZipLimits): { file: string; message: string } {
  switch (e.kind) {
    case 'entryTooLarge':
      return { file: entry, message: DATA_ERRORS.zipTooLarge(toMb(limits.maxEntryBytes)) };
    case 'totalTooLarge':
      return { file: archive, message: DATA_ERRORS.zipTotalTooLarge(toMb(limits.maxTotalBytes)) };
    case 'ratioTooHigh':
      return { file: entry, message: DATA_ERRORS.zipRatioTooHigh(limits.maxRatio?.ratio ?? 0) };
    case 'tooManyEntries':
      return { file: archive, message: DATA_ERRORS.zipTooManyEntries(limits.maxEntries) };
    default:
      return { file: archive, message: DATA_ERRORS.badZip };
  }
}

/** An entry of an uploaded archive, inflated only when (and each time) it is read. */
function zipEntrySource(archive: string, data: Uint8Array, entry: ZipEntry, budget: InflateBudget, problems: ProblemLog): FileSource {
  const name = path.posix.basename(entry.name);
  const { limits } = budget;
  return {
    name,
    size: Math.min(entry.declaredSize, limits.maxEntryBytes, entry.compressedSize * PLAUSIBLE_CSV_RATIO),
    async *open() {
      try {
        yield* inflateEntry(data, entry, budget);
      } catch (e) {
        if (!(e instanceof ZipError)) throw e;
        const problem = zipProblem(e, archive, name, limits);
        problems.add(problem.file, 0, problem.message);
        // The rest of the entry is unreadable: parsing what came out so far would only report a
        // truncated file, so the whole upload is refused here.
        throw new DataError(problems.list());
      }
    },
  };
}

/** Adds the data files of one uploaded archive; nothing is inflated yet. */
function addZipEntries(set: SourceSet, archive: string, data: Uint8Array, budget: InflateBudget, problems: ProblemLog): void {
  let entries: ZipEntry[];
  try {
    entries = listZipEntries(data, budget.limits.maxEntries).filter((e) => isCandidateEntry(e.name));
    if (!entries.every(isReadable)) throw new ZipError('corrupt', 'an entry is encrypted or uses an unsupported method');
  } catch (e) {
    if (!(e instanceof ZipError)) throw e;
    const problem = zipProblem(e, archive, archive, budget.limits);
    problems.add(problem.file, 0, problem.message);
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const base = path.posix.basename(entry.name);
    // Declared sizes are checked too, to refuse an honest oversized entry before inflating it.
    if (entry.declaredSize > budget.limits.maxEntryBytes) {
      problems.add(base, 0, DATA_ERRORS.zipTooLarge(toMb(budget.limits.maxEntryBytes)));
      continue;
    }
    assign(set, roleOfFileName(base)!, zipEntrySource(archive, data, entry, budget, problems), problems);
  }
}

/**
 * Sources of uploaded files: names are matched to roles; `.zip` archives (or anything with the
 * ZIP signature) are opened and their matching entries used, whatever folder they sit in.
 * Entries are inflated as streams while the data is read, within `zipLimits` for the whole
 * upload (total and per-entry inflated bytes, entries per archive).
 */
export function bufferSources(files: Record<string, Uint8Array>, problems: ProblemLog, zipLimits: Readonly<ZipLimits> = DEFAULT_ZIP_LIMITS): SourceSet {
  const set: SourceSet = {};
  const budget = new InflateBudget(zipLimits);
  for (const name of Object.keys(files).sort()) {
    const data = files[name];
    if (isZipName(name) || hasZipMagic(data)) {
      addZipEntries(set, name, data, budget, problems);
      continue;
    }
    const role = roleOfFileName(name);
    if (role) assign(set, role, bufferSource(path.basename(name), data), problems);
  }
  reportMissing(set, problems);
  return set;
}
