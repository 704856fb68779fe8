import { describe, expect, it } from 'vitest';
import { fitsAvailability, freeSlots, localDateRange, type Interval } from '../../server/modules/scheduling/free-slots.ts';

const dublin = 'Europe/Dublin';
const at = (iso: string) => new Date(iso);
const between = (start: string, end: string): Interval => ({ start: at(start), end: at(end) });
const starts = (slots: Interval[]) => slots.map((s) => s.start.toISOString());

/** Mondays and Sundays 09:00-12:00, Dublin time. */
const mornings = [
  { weekday: 1, start: '09:00', end: '12:00' },
  { weekday: 7, start: '09:00', end: '12:00' },
];

describe('free slots', () => {
  it('start at 09:00 local on the spring-forward Sunday (08:00Z) and the fall-back Sunday (09:00Z)', () => {
    const spring = freeSlots({ timeZone: dublin, weeklyHours: mornings, busy: [] }, { from: '2026-03-29', to: '2026-03-29', durationMinutes: 60 });
    expect(starts(spring)).toEqual(['2026-03-29T08:00:00.000Z', '2026-03-29T09:00:00.000Z', '2026-03-29T10:00:00.000Z']);
    const autumn = freeSlots({ timeZone: dublin, weeklyHours: mornings, busy: [] }, { from: '2026-10-25', to: '2026-10-25', durationMinutes: 60 });
    expect(starts(autumn)).toEqual(['2026-10-25T09:00:00.000Z', '2026-10-25T10:00:00.000Z', '2026-10-25T11:00:00.000Z']);
  });

  it('keep 09:00 local on the days either side of a clock change', () => {
    const slots = freeSlots({ timeZone: dublin, weeklyHours: mornings, busy: [] }, { from: '2026-03-28', to: '2026-03-30', durationMinutes: 180 });
    expect(starts(slots)).toEqual(['2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z']);
  });

  it('step by the duration and leave out a last slot that would run past the hours', () => {
    const slots = freeSlots({ timeZone: 'UTC', weeklyHours: [{ weekday: 1, start: '09:00', end: '10:00' }], busy: [] }, { from: '2027-01-04', to: '2027-01-04', durationMinutes: 25 });
    expect(slots).toEqual([between('2027-01-04T09:00:00Z', '2027-01-04T09:25:00Z'), between('2027-01-04T09:25:00Z', '2027-01-04T09:50:00Z')]);
  });

  it('follow several stretches of a day in time order, whatever order they were given in', () => {
    const hours = [
      { weekday: 1, start: '14:00', end: '15:00' },
      { weekday: 1, start: '08:00', end: '09:00' },
    ];
    const slots = freeSlots({ timeZone: 'UTC', weeklyHours: hours, busy: [] }, { from: '2027-01-04', to: '2027-01-04', durationMinutes: 30 });
    expect(starts(slots)).toEqual(['2027-01-04T08:00:00.000Z', '2027-01-04T08:30:00.000Z', '2027-01-04T14:00:00.000Z', '2027-01-04T14:30:00.000Z']);
  });

  it('leave out every slot touching a busy time, but not one that merely meets it', () => {
    const busy = [between('2027-01-04T09:30:00Z', '2027-01-04T10:15:00Z')];
    const slots = freeSlots({ timeZone: 'UTC', weeklyHours: [{ weekday: 1, start: '09:00', end: '11:00' }], busy }, { from: '2027-01-04', to: '2027-01-04', durationMinutes: 30 });
    expect(starts(slots)).toEqual(['2027-01-04T09:00:00.000Z', '2027-01-04T10:30:00.000Z']);
  });

  it('run hours ending at 24:00 up to the midnight that ends the day', () => {
    const slots = freeSlots({ timeZone: dublin, weeklyHours: [{ weekday: 6, start: '22:00', end: '24:00' }], busy: [] }, { from: '2026-07-04', to: '2026-07-04', durationMinutes: 60 });
    expect(starts(slots)).toEqual(['2026-07-04T21:00:00.000Z', '2026-07-04T22:00:00.000Z']);
  });

  it('stay one duration apart through hours that span the clock change itself', () => {
    // 00:00-04:00 on the fall-back night is five real hours: 01:00-02:00 happens twice.
    const slots = freeSlots({ timeZone: dublin, weeklyHours: [{ weekday: 7, start: '00:00', end: '04:00' }], busy: [] }, { from: '2026-10-25', to: '2026-10-25', durationMinutes: 60 });
    expect(starts(slots)).toEqual(['2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z']);
  });

  it('count every date of the range where the clocks go forward at midnight (Santiago, 2026-09-06)', () => {
    const hours = [6, 7, 1].map((weekday) => ({ weekday, start: '09:00', end: '10:00' }));
    const slots = freeSlots({ timeZone: 'America/Santiago', weeklyHours: hours, busy: [] }, { from: '2026-09-05', to: '2026-09-07', durationMinutes: 60 });
    expect(starts(slots)).toEqual(['2026-09-05T13:00:00.000Z', '2026-09-06T12:00:00.000Z', '2026-09-07T12:00:00.000Z']);
  });

  it('find nothing on a day without hours', () => {
    expect(freeSlots({ timeZone: dublin, weeklyHours: mornings, busy: [] }, { from: '2026-03-31', to: '2026-04-03', durationMinutes: 30 })).toEqual([]);
  });
});

describe('a local date range', () => {
  it('runs from the local midnight of the first date to that after the last', () => {
    expect(localDateRange(dublin, '2026-03-29', '2026-03-29')).toEqual(between('2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z'));
    expect(localDateRange('America/New_York', '2026-11-01', '2026-11-02')).toEqual(between('2026-11-01T04:00:00Z', '2026-11-03T05:00:00Z'));
  });
});

describe('fitting a visit into the availability', () => {
  const availability = { timeZone: dublin, weeklyHours: mornings, busy: [between('2026-06-01T10:00:00Z', '2026-06-01T10:30:00Z')] };

  it('accepts a visit inside the hours on its local date, off the slot grid too', () => {
    expect(fitsAvailability(availability, between('2026-06-01T08:00:00Z', '2026-06-01T09:00:00Z'))).toBe(true);
    expect(fitsAvailability(availability, between('2026-06-01T08:10:00Z', '2026-06-01T08:40:00Z'))).toBe(true);
  });

  it('refuses a visit running past the hours, on a day without hours, or over time off', () => {
    expect(fitsAvailability(availability, between('2026-06-01T10:30:00Z', '2026-06-01T11:30:00Z'))).toBe(false);
    expect(fitsAvailability(availability, between('2026-06-02T08:00:00Z', '2026-06-02T09:00:00Z'))).toBe(false);
    expect(fitsAvailability(availability, between('2026-06-01T09:45:00Z', '2026-06-01T10:15:00Z'))).toBe(false);
  });

  it('reads the hours in local time: 09:00Z on a summer Monday is 10:00 in Dublin', () => {
    expect(fitsAvailability(availability, between('2026-06-01T07:30:00Z', '2026-06-01T08:30:00Z'))).toBe(false);
    expect(fitsAvailability(availability, between('2026-12-07T09:00:00Z', '2026-12-07T12:00:00Z'))).toBe(true);
  });
});
