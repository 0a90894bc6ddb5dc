/** The four files of a data set as a manager would send them: read from disk, re-encoded, zipped, broken. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import type { UserFile } from './telegramEmulator.ts';

export const DATASET_FILES = ['market_file.csv', 'market_money.csv', 'market_time.csv', 'money.csv'] as const;
export type DatasetFile = (typeof DATASET_FILES)[number];

export function readDataset(dir: string): Record<DatasetFile, Buffer> {
  return Object.fromEntries(DATASET_FILES.map((f) => [f, readFileSync(join(dir, f))])) as Record<DatasetFile, Buffer>;
}

export const asUserFiles = (files: Partial<Record<string, Buffer>>): UserFile[] =>
  Object.entries(files).map(([fileName, content]) => ({ fileName, content: content!, mimeType: 'text/csv' }));

const text = (b: Buffer) => b.toString('utf8').replace(/^\uFEFF/, '');

/** Windows-1251, as Excel on a Russian Windows saves «CSV». */
export const toCp1251 = (b: Buffer): Buffer => iconv.encode(text(b), 'win1251');

export const withBom = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text(b), 'utf8')]);

/** A ZIP with the files inside a folder, as «Send to → Compressed folder» makes it. */
export const zipOf = (files: Record<string, Buffer>, folder = 'выгрузка/'): Buffer =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([n, b]) => [folder + n, new Uint8Array(b)]))));

/** Replaces the last field of `count` data lines (from line 2) with `value`. */
export function breakLastColumn(b: Buffer, count: number, value = 'много'): Buffer {
  const lines = text(b).split('\n');
  // money.csv is «;»-separated with decimal commas; the others use «,».
  const sep = lines[0].includes(';') ? ';' : ',';
  for (let i = 1; i <= count && i < lines.length; i++) lines[i] = lines[i].slice(0, lines[i].lastIndexOf(sep) + 1) + value;
  return Buffer.from(lines.join('\n'), 'utf8');
}
