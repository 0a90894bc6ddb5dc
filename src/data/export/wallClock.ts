import { zonedParts } from '../../core/digest/period.ts';

/**
 * The instant's wall-clock time in `timeZone`, as a Date whose UTC fields carry it. Spreadsheet
 * dates have no time zone: a cell shows the UTC fields, so this is what a manager in Moscow
 * expects to read.
 */
export function wallClock(date: Date, timeZone = 'UTC'): Date {
  const p = zonedParts(date, timeZone);
  return new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second));
}
