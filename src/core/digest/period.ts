/**
 * Digest periods are ISO weeks in the digest time zone ('2026-W48'): one digest per week, whatever
 * minute of the week DIGEST_CRON picks. Keys sort as text in time order (the week is zero-padded).
 */

export interface DigestPeriod {
  /** ISO week key, e.g. '2026-W48'. */
  key: string;
  /** Monday of the week, YYYY-MM-DD (a calendar date, no time zone). */
  start: string;
  /** Sunday of the week, YYYY-MM-DD. */
  end: string;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock date and time of an instant in a time zone. */
export function zonedParts(date: Date, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(date)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

const DAY_MS = 86_400_000;
const utcDay = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** 1 = Monday … 7 = Sunday. */
const isoWeekday = (ms: number) => new Date(ms).getUTCDay() || 7;

function mondayOfWeek1(isoYear: number): number {
  const jan4 = utcDay(isoYear, 1, 4);
  return jan4 - (isoWeekday(jan4) - 1) * DAY_MS;
}

function periodFromMonday(monday: number): DigestPeriod {
  const thursday = monday + 3 * DAY_MS;
  const isoYear = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.round((monday - mondayOfWeek1(isoYear)) / (7 * DAY_MS));
  return { key: `${isoYear}-W${String(week).padStart(2, '0')}`, start: isoDate(monday), end: isoDate(monday + 6 * DAY_MS) };
}

/** The ISO week an instant falls in, on the calendar of `timeZone`. */
export function periodOf(date: Date, timeZone: string): DigestPeriod {
  const p = zonedParts(date, timeZone);
  const day = utcDay(p.year, p.month, p.day);
  return periodFromMonday(day - (isoWeekday(day) - 1) * DAY_MS);
}

/** The period `weeks` weeks later (earlier when negative). */
export function shiftPeriod(period: DigestPeriod, weeks: number): DigestPeriod {
  return periodFromMonday(Date.parse(`${period.start}T00:00:00Z`) + weeks * 7 * DAY_MS);
}

export function periodFromKey(key: string): DigestPeriod {
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!m) throw new Error(`not an ISO week key: ${key}`);
  return periodFromMonday(mondayOfWeek1(Number(m[1])) + (Number(m[2]) - 1) * 7 * DAY_MS);
}

const sameParts = (a: LocalParts, b: LocalParts) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;

/**
 * The instant a wall-clock time in `timeZone` denotes. A time repeated when clocks go back maps to
 * its first occurrence; a time skipped when they go forward, to the instant after the jump.
 */
export function localTimeToUtc(p: LocalParts, timeZone: string): Date {
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetAt = (ms: number) => {
    const z = zonedParts(new Date(ms), timeZone);
    return Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second) - ms;
  };
  // Offsets a day either side bracket any transition near this time.
  const candidates = [asUtc - offsetAt(asUtc - DAY_MS), asUtc - offsetAt(asUtc + DAY_MS)].sort((a, b) => a - b);
  const exact = candidates.find((c) => sameParts(zonedParts(new Date(c), timeZone), p));
  return new Date(exact ?? candidates[1]);
}

/** Every calendar day of a period as local parts at midnight, Monday first. */
export function daysOf(period: DigestPeriod): LocalParts[] {
  const monday = Date.parse(`${period.start}T00:00:00Z`);
  return Array.from({ length: 7 }, (_, i) => {
    const d = new Date(monday + i * DAY_MS);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0, second: 0 };
  });
}
