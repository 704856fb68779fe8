import { DateTime } from 'luxon';
import type { WeeklyHours } from '../../../shared/schemas/scheduling.ts';

/**
 * Slot arithmetic, free of I/O. Weekly hours are wall-clock times in the practice's time zone: each
 * local date's hours are turned into instants on that date, so a 09:00 start is 09:00 local in summer
 * and in winter (08:00Z and 09:00Z in Dublin), and the clock change itself is luxon's business.
 */
export type Interval = { start: Date; end: Date };

/** The instant `HH:MM` shows on the clock on a local date; 24:00 is the next midnight. */
function atWallTime(day: DateTime, time: string): DateTime {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return hour === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour, minute });
}

/**
 * Each local date from `from` to `to` (`YYYY-MM-DD`, both included), at its start in `timeZone`. Counted
 * in calendar days: where the clocks go forward at midnight (Chile), a day starts at 01:00.
 */
function localDays(timeZone: string, from: string, to: string): DateTime[] {
  const first = DateTime.fromISO(from, { zone: timeZone });
  const count = DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days + 1;
  return Array.from({ length: count }, (_, i) => first.plus({ days: i }));
}

/** From the start of local date `from` to the start of the day after `to`. */
export function localDateRange(timeZone: string, from: string, to: string): Interval {
  return {
    start: DateTime.fromISO(from, { zone: timeZone }).toJSDate(),
    end: DateTime.fromISO(to, { zone: timeZone }).plus({ days: 1 }).toJSDate(),
  };
}

/** The weekly hours as instants, on each local date from `from` to `to`, in time order. */
export function availabilityWindows(timeZone: string, weeklyHours: WeeklyHours[], from: string, to: string): Interval[] {
  const sorted = [...weeklyHours].sort((a, b) => a.start.localeCompare(b.start));
  return localDays(timeZone, from, to).flatMap((day) =>
    sorted.filter((h) => h.weekday === day.weekday).map((h) => ({ start: atWallTime(day, h.start).toJSDate(), end: atWallTime(day, h.end).toJSDate() })),
  );
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

export type Availability = {
  timeZone: string;
  weeklyHours: WeeklyHours[];
  /** Times that cannot be booked: time off, and for free slots the clinician's appointments too. */
  busy: Interval[];
};

/**
 * Every slot of `durationMinutes` inside the weekly hours from local date `from` to `to`, one after
 * another from the start of each stretch of hours, less those touching a busy time.
 */
export function freeSlots({ timeZone, weeklyHours, busy }: Availability, range: { from: string; to: string; durationMinutes: number }): Interval[] {
  const length = range.durationMinutes * 60_000;
  const slots: Interval[] = [];
  for (const window of availabilityWindows(timeZone, weeklyHours, range.from, range.to)) {
    // Stepping in real time from the window's start: across a clock change inside the hours, slots
    // stay one duration apart and never overlap or vanish, whatever the wall clock does meanwhile.
    for (let at = window.start.getTime(); at + length <= window.end.getTime(); at += length) {
      const slot = { start: new Date(at), end: new Date(at + length) };
      if (!busy.some((b) => overlaps(b, slot))) slots.push(slot);
    }
  }
  return slots;
}

/** Whether `visit` lies within one stretch of the weekly hours on its local date, clear of every busy time. */
export function fitsAvailability({ timeZone, weeklyHours, busy }: Availability, visit: Interval): boolean {
  const date = DateTime.fromJSDate(visit.start, { zone: timeZone }).toISODate()!;
  const inHours = availabilityWindows(timeZone, weeklyHours, date, date).some((w) => w.start <= visit.start && visit.end <= w.end);
  return inHours && !busy.some((b) => overlaps(b, visit));
}
