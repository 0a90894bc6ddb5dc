/** JSON kept in text columns, read and written the same way by every engine. */
import type { Contribution } from '../ml/index.ts';
import { CorruptRecordError } from './errors.ts';

/** Parses a stored JSON column; a value that no longer parses is a CorruptRecordError naming the row. */
export function readJson(text: string, table: string, key: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CorruptRecordError(table, key, column, { cause });
  }
}

/** JSON text of a value; throws for a value JSON cannot hold (undefined, a function). */
export function jsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} is not JSON-serialisable`);
  return text;
}

/** Drivers as compact JSON pairs, strongest first: [["pagesPerVisit", -0.081], …]. */
export const encodeDrivers = (drivers: readonly Contribution[]) => JSON.stringify(drivers.map((d) => [d.feature, d.contribution]));
export const decodeDrivers = (text: string): Contribution[] =>
  (JSON.parse(text) as [string, number][]).map(([feature, contribution]) => ({ feature, contribution }));
