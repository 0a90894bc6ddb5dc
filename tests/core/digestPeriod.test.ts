import { describe, expect, it } from 'vitest';
import { localTimeToUtc, periodFromKey, periodOf, shiftPeriod, zonedParts } from '../../src/core/digest/period.ts';
import { cronCalendar } from '../../src/jobs/cronCalendar.ts';
import { fmtWeek, fmtWeekLabel } from '../../src/messages.ts';

const at = (iso: string) => new Date(iso);

describe('digest periods (ISO weeks in the digest time zone)', () => {
  it('names the week with its Monday and Sunday', () => {
    expect(periodOf(at('2026-11-25T12:00:00Z'), 'Europe/Moscow')).toEqual({ key: '2026-W48', start: '2026-11-23', end: '2026-11-29' });
  });

  it('follows the local calendar: late Sunday UTC is already Monday in Moscow', () => {
    const sundayNightUtc = at('2026-11-29T22:30:00Z');
    expect(periodOf(sundayNightUtc, 'UTC').key).toBe('2026-W48');
    expect(periodOf(sundayNightUtc, 'Europe/Moscow').key).toBe('2026-W49');
  });

  it('handles ISO years that differ from calendar years', () => {
    expect(periodOf(at('2027-01-01T12:00:00Z'), 'UTC').key).toBe('2026-W53');
    expect(periodOf(at('2025-12-29T12:00:00Z'), 'UTC').key).toBe('2026-W01');
    expect(periodOf(at('2026-12-28T12:00:00Z'), 'UTC').key).toBe('2026-W53');
    expect(periodOf(at('2027-01-04T12:00:00Z'), 'UTC').key).toBe('2027-W01');
  });

  it('round-trips keys and steps week by week', () => {
    for (const key of ['2026-W01', '2026-W09', '2026-W48', '2026-W53', '2027-W01']) expect(periodFromKey(key).key).toBe(key);
    expect(shiftPeriod(periodFromKey('2026-W53'), 1).key).toBe('2027-W01');
    expect(shiftPeriod(periodFromKey('2026-W01'), -1).key).toBe('2025-W52');
    // Zero-padded keys sort as text in time order, which the repository relies on.
    expect(['2026-W10', '2026-W09', '2025-W52'].sort()).toEqual(['2025-W52', '2026-W09', '2026-W10']);
  });

  it('maps wall-clock time to UTC, across DST changes', () => {
    const nine = { year: 2026, month: 11, day: 23, hour: 9, minute: 0, second: 0 };
    expect(localTimeToUtc(nine, 'Europe/Moscow').toISOString()).toBe('2026-11-23T06:00:00.000Z');
    expect(localTimeToUtc({ ...nine, month: 7, day: 6 }, 'Europe/Moscow').toISOString()).toBe('2026-07-06T06:00:00.000Z');
    expect(localTimeToUtc(nine, 'Europe/Berlin').toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(localTimeToUtc({ ...nine, month: 7, day: 6 }, 'Europe/Berlin').toISOString()).toBe('2026-07-06T07:00:00.000Z');
    // 02:30 happens twice on 25 Oct 2026 in Berlin: the first one (summer time) is taken.
    const repeated = { year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 };
    expect(localTimeToUtc(repeated, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // 02:30 does not exist on 29 Mar 2026 in Berlin: the instant after the jump is taken.
    const skipped = localTimeToUtc({ ...repeated, month: 3, day: 29 }, 'Europe/Berlin');
    expect(zonedParts(skipped, 'Europe/Berlin').hour).toBe(3);
  });

  it('formats weeks for people', () => {
    expect(fmtWeek(periodFromKey('2026-W48'))).toBe('23–29 ноября 2026');
    expect(fmtWeek(periodFromKey('2026-W49'))).toBe('30 ноября – 6 декабря 2026');
    expect(fmtWeek(periodFromKey('2026-W01'))).toBe('29 декабря 2025 – 4 января 2026');
    expect(fmtWeekLabel(periodFromKey('2026-W48'))).toBe('23 нояб.');
  });
});

describe('cron calendar', () => {
  it('finds the weekly slot in local time, summer and winter, with and without DST', () => {
    const moscow = cronCalendar('0 9 * * 1', 'Europe/Moscow');
    expect(moscow.slotsIn(periodFromKey('2026-W48')).map((d) => d.toISOString())).toEqual(['2026-11-23T06:00:00.000Z']);
    expect(moscow.slotsIn(periodFromKey('2026-W28')).map((d) => d.toISOString())).toEqual(['2026-07-06T06:00:00.000Z']);
    const berlin = cronCalendar('0 9 * * 1', 'Europe/Berlin');
    expect(berlin.slotsIn(periodFromKey('2026-W48')).map((d) => d.toISOString())).toEqual(['2026-11-23T08:00:00.000Z']);
    expect(berlin.slotsIn(periodFromKey('2026-W28')).map((d) => d.toISOString())).toEqual(['2026-07-06T07:00:00.000Z']);
  });

  it('says whether this week’s digest is due and when the next one is', () => {
    const cal = cronCalendar('0 9 * * 1', 'Europe/Moscow');
    expect(cal.due(at('2026-11-23T05:59:59Z'))).toBeNull();
    expect(cal.due(at('2026-11-23T06:00:00Z'))?.toISOString()).toBe('2026-11-23T06:00:00.000Z');
    expect(cal.due(at('2026-11-29T20:00:00Z'))?.toISOString()).toBe('2026-11-23T06:00:00.000Z');
    expect(cal.next(at('2026-11-23T06:00:00Z'))?.toISOString()).toBe('2026-11-30T06:00:00.000Z');
    expect(cal.next(at('2026-11-22T12:00:00Z'))?.toISOString()).toBe('2026-11-23T06:00:00.000Z');
  });

  it('lists every slot of a denser schedule and finds monthly ones weeks ahead', () => {
    const twiceDaily = cronCalendar('30 8,17 * * 1-5', 'Asia/Yekaterinburg');
    expect(twiceDaily.slotsIn(periodFromKey('2026-W48'))).toHaveLength(10);
    const monthly = cronCalendar('0 10 1 * *', 'UTC');
    expect(monthly.next(at('2026-11-02T00:00:00Z'))?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });
});
