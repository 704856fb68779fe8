import type { AvailabilityExceptionOutput, WeeklyHours } from '../../../shared/schemas/scheduling.ts';
import type { AvailabilityException } from './availability-exception.entity.ts';
import type { AvailabilityRule } from './availability-rule.entity.ts';

/** The database keeps `time` values as HH:MM:SS; the API speaks HH:MM. */
export const toDatabaseTime = (time: string) => `${time}:00`;

export function toWeeklyHours(rule: AvailabilityRule): WeeklyHours {
  return { weekday: rule.weekday, start: rule.startTime.slice(0, 5), end: rule.endTime.slice(0, 5) };
}

/**
 * Colleagues see that a period is blocked (they book around it), but the reason is private to the
 * clinician and the admins: `withReason` is `managesSchedule` (clinician-schedule.ts); otherwise null.
 */
export function toExceptionDto(e: AvailabilityException, withReason: boolean): AvailabilityExceptionOutput {
  return { id: e.id, clinicianId: e.clinician.id, startsAt: e.startsAt.toISOString(), endsAt: e.endsAt.toISOString(), reason: withReason ? e.reason : null, createdAt: e.createdAt.toISOString() };
}
