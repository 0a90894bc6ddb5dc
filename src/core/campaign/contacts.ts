/** Contact details for the call list: importing contacts.csv and linking to the CRM. */
import { DataError, NotFoundError, type FileProblem } from '../errors.ts';
import type { ContactsRead, ContactsReader, KnownIds, Store } from '../ports.ts';

export interface ContactsImport {
  file: string;
  /** Customers whose contacts were written (inserted or replaced). */
  stored: number;
  /** Rows ignored because their id is not a customer of the latest data set. */
  ignored: number;
  warnings: FileProblem[];
  /** Customers with contacts in the store after the import. */
  total: number;
}

interface ContactsDeps {
  store: Store;
  reader: ContactsReader;
}

/**
 * An id is known when the latest data set has it: contacts usually arrive with, or after, that
 * upload. No data set is an error at once; the ids are read only when a contacts file is found
 * (a million customers read back for nothing was most of a 1M upload's time on PostgreSQL).
 */
async function knownIn(store: Store): Promise<KnownIds> {
  const latest = await store.datasets.latest();
  if (!latest) throw new NotFoundError('dataset', 'latest');
  return async () => {
    // The reader asks row by row, synchronously: one read of the ids answers all of them.
    const ids = new Set((await store.datasets.customers(latest.version)).map((c) => c.id));
    return (id) => ids.has(id);
  };
}

async function save(store: Store, read: ContactsRead | null, source: string): Promise<ContactsImport | null> {
  if (!read) return null;
  const stored = await store.contacts.upsert(read.contacts, source);
  return { file: read.file, stored, ignored: read.ignored, warnings: read.warnings, total: await store.contacts.count() };
}

/**
 * `retention contacts DIR_OR_FILE`: reads contacts.csv (a file, or a directory holding one) and
 * stores the rows of known customers; contacts of customers not in the file are kept. Null when a
 * directory has no contacts.csv. Throws DataError (nothing stored) for broken rows, NotFoundError
 * when no data set was ever ingested.
 */
export async function importContacts(deps: ContactsDeps, dirOrFile: string): Promise<ContactsImport | null> {
  return save(deps.store, await deps.reader.read(dirOrFile, await knownIn(deps.store)), dirOrFile);
}

/** The same for uploaded files; null when none of them is contacts.csv (the data set alone is fine). */
export async function importContactFiles(deps: ContactsDeps, files: Record<string, Uint8Array>, source: string): Promise<ContactsImport | null> {
  return save(deps.store, await deps.reader.readFiles(files, await knownIn(deps.store)), source);
}

/** The customer's CRM page from CRM_URL_TEMPLATE (`{id}` replaced), or null without a template. */
export function crmUrl(template: string | undefined, id: number): string | null {
  return template ? template.replaceAll('{id}', encodeURIComponent(String(id))) : null;
}

/**
 * Reads a data set while checking the contacts.csv that came with it, and reports the problems of
 * both at once: a broken contacts file stops the upload like a broken data file, before anything
 * is stored, so the manager fixes everything in one round. Unknown ids are not checked here (the
 * new data set decides them once stored; they are warnings anyway).
 */
export async function readWithContacts<T>(readData: () => Promise<T>, checkContacts: (() => Promise<unknown>) | null): Promise<T> {
  const problems: FileProblem[] = [];
  const collect = (err: unknown): null => {
    if (!(err instanceof DataError)) throw err;
    problems.push(...err.problems);
    return null;
  };
  const data = await readData().catch(collect);
  if (checkContacts) await checkContacts().catch(collect);
  if (problems.length) throw new DataError(problems);
  return data as T;
}
