import { DateTime } from 'luxon';
import type { Cadence } from '../../../shared/schemas/steps.ts';

const cadenceDays: Record<Cadence, number> = { daily: 1, weekly: 7 };

/** The last day of a plan: its end date, or the day of its last occurrence when given as a count (whichever is first). */
export function endDateOf({ cadence, startDate, endDate, count }: { cadence: Cadence; startDate: string; endDate: string | null; count: number | null }): string | null {
  if (!count) return endDate;
  const byCount = DateTime.fromISO(startDate, { zone: 'utc' })
    .plus({ days: (count - 1) * cadenceDays[cadence] })
    .toISODate()!;
  return endDate && endDate < byCount ? endDate : byCount;
}
