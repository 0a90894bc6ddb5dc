/**
 * When DIGEST_CRON fires, in past and future weeks, judged by node-cron's own matcher so catch-up
 * and the live schedule never disagree (L, W and # tokens included).
 */
import { createTask, parse } from 'node-cron';
import { daysOf, localTimeToUtc, periodOf, shiftPeriod, type DigestPeriod } from '../core/digest/period.ts';

export interface CronCalendar {
  /** The instants the expression fires within a period, earliest first. */
  slotsIn(period: DigestPeriod): Date[];
  /** The first instant after `after` (null if none within a year). */
  next(after: Date): Date | null;
  /** The earliest instant of `now`'s period that has already passed: that week's digest is due. */
  due(now: Date): Date | null;
}

export function cronCalendar(cron: string, timeZone: string): CronCalendar {
  const fields = parse(cron);
  // Never started: only its matcher is used. Destroying it takes it out of node-cron's registry.
  const matcher = createTask(cron, () => undefined, { timezone: timeZone });
  void matcher.destroy();

  let cached: { key: string; slots: Date[] } | null = null;

  function slotsIn(period: DigestPeriod): Date[] {
    if (cached?.key === period.key) return cached.slots;
    const seen = new Set<number>();
    for (const day of daysOf(period)) {
      for (const hour of fields.hour) {
        for (const minute of fields.minute) {
          for (const second of fields.second) {
            const at = localTimeToUtc({ ...day, hour, minute, second }, timeZone);
            if (matcher.match(at) && periodOf(at, timeZone).key === period.key) seen.add(at.getTime());
          }
        }
      }
    }
    const slots = [...seen].sort((a, b) => a - b).map((t) => new Date(t));
    cached = { key: period.key, slots };
    return slots;
  }

  return {
    slotsIn,
    next(after) {
      let period = periodOf(after, timeZone);
      for (let week = 0; week <= 53; week++, period = shiftPeriod(period, 1)) {
        const slot = slotsIn(period).find((s) => s.getTime() > after.getTime());
        if (slot) return slot;
      }
      return null;
    },
    due(now) {
      return slotsIn(periodOf(now, timeZone)).find((s) => s.getTime() <= now.getTime()) ?? null;
    },
  };
}
