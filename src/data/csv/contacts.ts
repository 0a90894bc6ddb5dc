/**
 * The optional fifth file, contacts.csv: `id` plus any of name, phone, e-mail (English or Russian
 * headers), other columns kept as text. Read with the data set files' rules — encoding, separator,
 * field counts and ids checked the same way, every problem reported as file:line — except that a
 * row whose id is not a customer is only a warning: contact lists are exported from elsewhere and
 * routinely hold people who are not (or no longer) in the data.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { DataError, type FileProblem } from '../../core/errors.ts';
import type { ContactsRead, ContactsReader, KnownIds } from '../../core/ports.ts';
import { CONTACT_ERRORS, DATA_ERRORS } from '../../messages.ts';
import { DecimalStats } from './numbers.ts';
import { ProblemLog } from './problems.ts';
import { readCsv, type CsvSink } from './reader.ts';
import type { CsvRecord } from './record.ts';
import { RowReader, shown } from './rows.ts';
import { fileNameKey, headerKey } from './schema.ts';
import { checkFieldCount, mapHeader } from './sinks.ts';
import { MAX_ZIP_ENTRY_MB, bufferSource, fileSource, hasZipMagic, isZipName, type FileSource } from './sources.ts';

export const CONTACTS_FILE = 'contacts.csv';

/** Canonical column → the headers accepted for it (compared by headerKey). */
const COLUMN_ALIASES = {
  id: ['id'],
  name: ['name', 'имя', 'фио', 'клиент'],
  phone: ['phone', 'телефон', 'тел', 'мобильный'],
  email: ['email', 'e-mail', 'почта', 'электронная почта', 'эл. почта'],
} as const;
type ContactColumn = keyof typeof COLUMN_ALIASES;

const CANONICAL = new Map<string, ContactColumn>(
  (Object.entries(COLUMN_ALIASES) as [ContactColumn, readonly string[]][]).flatMap(([col, aliases]) => aliases.map((a) => [headerKey(a), col] as const)),
);

/** Warnings kept per file; the rest are only counted (a foreign list may not match at all). */
const MAX_WARNINGS = 100;

export const isContactsFileName = (name: string): boolean => fileNameKey(name) === 'contacts';

/**
 * A phone as people type it: digits with an optional leading +, spaces, brackets, dots and dashes,
 * 10 to 15 digits in all (E.164 allows 15). Excel's «7,91235E+10» and truncated numbers fail.
 */
export function isPhone(raw: string): boolean {
  if (!/^\+?[\d\s().-]+$/.test(raw)) return false;
  const digits = raw.replace(/\D/g, '').length;
  return digits >= 10 && digits <= 15;
}

export const isEmail = (raw: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw);

function contactsSink(file: string, problems: ProblemLog, isKnown: (id: number) => boolean, out: ContactsRead): CsvSink {
  const rr = new RowReader(file, problems, new DecimalStats());
  const firstLine = new Map<number, number>();
  let cols = new Map<string, number>();
  let extra: [string, number][] = [];
  const cell = (r: CsvRecord, col: ContactColumn) => {
    const i = cols.get(col);
    const v = i === undefined ? '' : r.field(i).trim();
    return v === '' ? null : v;
  };
  return {
    header(fields) {
      const canonical = fields.map((f) => CANONICAL.get(headerKey(f)) ?? f);
      const mapped = mapHeader(canonical, ['id'], ['name', 'phone', 'email'], file, problems);
      if (!mapped) return false;
      cols = mapped;
      const used = new Set(mapped.values());
      const names = new Set<string>();
      extra = [];
      fields.forEach((f, i) => {
        const name = f.replace(/^\uFEFF/, '').trim();
        if (used.has(i) || name === '' || names.has(name)) return;
        names.add(name);
        extra.push([name, i]);
      });
      return true;
    },
    record(r, line) {
      const id = rr.id(r, cols.get('id')!, line);
      if (id === null) return;
      const seen = firstLine.get(id);
      if (seen !== undefined) {
        problems.add(file, line, DATA_ERRORS.duplicateId(id, seen), 'id');
        return;
      }
      firstLine.set(id, line);
      const phone = cell(r, 'phone');
      const email = cell(r, 'email');
      if (phone !== null && !isPhone(phone)) problems.add(file, line, CONTACT_ERRORS.badPhone(shown(phone)), 'phone');
      if (email !== null && !isEmail(email)) problems.add(file, line, CONTACT_ERRORS.badEmail(shown(email)), 'email');
      if (!isKnown(id)) {
        out.ignored++;
        if (out.warnings.length < MAX_WARNINGS) out.warnings.push({ file, line, column: 'id', message: CONTACT_ERRORS.unknownCustomer(id) });
        return;
      }
      const more: Record<string, string> = {};
      for (const [name, i] of extra) if (!r.isBlank(i)) more[name] = r.field(i).trim();
      out.contacts.push({ id, name: cell(r, 'name'), phone, email, extra: more });
    },
  };
}

/** Reads one contacts file; throws DataError listing every problem. */
export async function readContactsSource(src: FileSource, isKnown: (id: number) => boolean, maxProblems = 1000): Promise<ContactsRead> {
  const problems = new ProblemLog(maxProblems);
  const out: ContactsRead = { file: src.name, contacts: [], warnings: [], ignored: 0 };
  await readCsv(src.name, src.open(), checkFieldCount(contactsSink(src.name, problems, isKnown, out), src.name, problems), problems);
  if (problems.count > 0) throw new DataError(problems.list());
  return out;
}

function oneSource(found: FileSource[]): FileSource | null {
  if (found.length > 1) {
    const problems: FileProblem[] = found.slice(1).map((f) => ({ file: f.name, line: 0, message: CONTACT_ERRORS.duplicateFile(found[0].name) }));
    throw new DataError(problems);
  }
  return found[0] ?? null;
}

/** contacts.csv given as a file, or found in a directory (null when the directory has none); `knownIds` is asked only for a file to read. */
export async function readContactsPath(dirOrFile: string, knownIds: KnownIds): Promise<ContactsRead | null> {
  let info;
  try {
    info = await stat(dirOrFile);
  } catch {
    throw new DataError([{ file: dirOrFile, line: 0, message: CONTACT_ERRORS.notFound(dirOrFile) }]);
  }
  if (info.isFile()) return readContactsSource(fileSource(dirOrFile, info.size), await knownIds());
  const found: FileSource[] = [];
  for (const e of await readdir(dirOrFile, { withFileTypes: true })) {
    if (!e.isFile() || !isContactsFileName(e.name)) continue;
    const file = path.join(dirOrFile, e.name);
    found.push(fileSource(file, (await stat(file)).size));
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  const src = oneSource(found);
  return src ? readContactsSource(src, await knownIds()) : null;
}

const isContactsEntry = (name: string) =>
  !name.endsWith('/') && !name.split('/').some((part) => part === '__MACOSX' || part.startsWith('.')) && isContactsFileName(path.posix.basename(name));

/** contacts.csv among uploaded files, loose or inside a .zip; null when there is none (and `knownIds` is not asked). */
export async function readContactsFiles(files: Record<string, Uint8Array>, knownIds: KnownIds): Promise<ContactsRead | null> {
  const found: FileSource[] = [];
  for (const name of Object.keys(files).sort()) {
    const data = files[name];
    if (isZipName(name) || hasZipMagic(data)) {
      let entries: Record<string, Uint8Array> = {};
      try {
        entries = unzipSync(data, { filter: (f) => isContactsEntry(f.name) && f.originalSize <= MAX_ZIP_ENTRY_MB * 1024 * 1024 });
      } catch {
        throw new DataError([{ file: name, line: 0, message: DATA_ERRORS.badZip }]);
      }
      for (const entry of Object.keys(entries).sort()) found.push(bufferSource(path.posix.basename(entry), entries[entry]));
    } else if (isContactsFileName(name)) {
      found.push(bufferSource(path.basename(name), data));
    }
  }
  const src = oneSource(found);
  return src ? readContactsSource(src, await knownIds()) : null;
}

/** The CSV reader behind the core's ContactsReader port. */
export const csvContactsReader: ContactsReader = {
  read: readContactsPath,
  readFiles: readContactsFiles,
};
