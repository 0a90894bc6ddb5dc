/**
 * Where the four files come from: a directory on disk, or in-memory uploads (loose files
 * and/or ZIP archives). Each source is matched to a role by its name and opened as a byte stream.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { DATA_ERRORS } from '../../messages.ts';
import type { ProblemLog } from './problems.ts';
import { ROLES, ROLE_FILE, roleOfFileName, type Role } from './schema.ts';

export interface FileSource {
  /** Name shown in problems (the file's own name, as the user knows it). */
  name: string;
  /** Size in bytes when known (used to pre-size per-customer arrays). */
  size: number;
  open(): AsyncIterable<Uint8Array>;
}

export type SourceSet = Partial<Record<Role, FileSource>>;

const CHUNK = 1 << 20;
/** Largest file accepted from inside an uploaded archive. */
export const MAX_ZIP_ENTRY_MB = 512;

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

/**
 * Sources of uploaded files: names are matched to roles; `.zip` archives (or anything with the
 * ZIP signature) are opened and their matching entries used, whatever folder they sit in.
 */
export function bufferSources(files: Record<string, Uint8Array>, problems: ProblemLog): SourceSet {
  const set: SourceSet = {};
  for (const name of Object.keys(files).sort()) {
    const data = files[name];
    if (isZipName(name) || hasZipMagic(data)) {
      let entries: Record<string, Uint8Array>;
      let tooLarge = '';
      try {
        entries = unzipSync(data, {
          filter: (f) => {
            if (!isCandidateEntry(f.name)) return false;
            if (f.originalSize > MAX_ZIP_ENTRY_MB * 1024 * 1024) {
              tooLarge = f.name;
              return false;
            }
            return true;
          },
        });
      } catch {
        problems.add(name, 0, DATA_ERRORS.badZip);
        continue;
      }
      if (tooLarge) problems.add(path.posix.basename(tooLarge), 0, DATA_ERRORS.zipTooLarge(MAX_ZIP_ENTRY_MB));
      for (const entry of Object.keys(entries).sort()) {
        const base = path.posix.basename(entry);
        assign(set, roleOfFileName(base)!, bufferSource(base, entries[entry]), problems);
      }
      continue;
    }
    const role = roleOfFileName(name);
    if (role) assign(set, role, bufferSource(path.basename(name), data), problems);
  }
  reportMissing(set, problems);
  return set;
}
