import type { FreeSlotsInput } from '../../../shared/schemas/scheduling.ts';
import type { AuthedCtx } from '../../context.ts';
import { findBookableType } from './appointment-types.service.ts';
import { Appointment } from './appointment.entity.ts';
import { findClinician, loadAvailability } from './clinician-schedule.ts';
import { freeSlots, localDateRange } from './free-slots.ts';
import { assertOnCareTeam, assertPatientBookable, booksForThemselves } from './patient-booking.ts';

/**
 * Bookable times for a type with a clinician, on local dates `from` to `to`. Every non-cancelled visit
 * of the clinician counts as busy, whoever the patient: only times come back, so nothing about patients
 * the caller may not see leaks, and no patient's record is read (hence no audit entry). Past dates are
 * searched like any others by staff: the caller chooses the range (from today, to book). A patient (or
 * guardian) asks only of a clinician on a care team they reach, for a patient-bookable type, and gets
 * only the slots still ahead, the ones they may book.
 */
export async function findFreeSlots(ctx: AuthedCtx, { clinicianId, typeId, from, to }: FreeSlotsInput) {
  const self = booksForThemselves(ctx.actor);
  const clinician = await findClinician(ctx.em, clinicianId);
  if (self) await assertOnCareTeam(ctx, clinicianId);
  const type = await findBookableType(ctx.em, typeId);
  if (self) assertPatientBookable(type);
  const timeZone = ctx.actor.identity.practice.timeZone;
  const range = localDateRange(timeZone, from, to);
  const availability = await loadAvailability(ctx, clinicianId, timeZone, range);
  const visits = await ctx.em.find(Appointment, { clinician, status: { $ne: 'cancelled' }, startsAt: { $lt: range.end }, endsAt: { $gt: range.start } });
  const busy = [...availability.busy, ...visits.map((v) => ({ start: v.startsAt, end: v.endsAt }))];
  const now = ctx.clock.now();
  const slots = freeSlots({ ...availability, busy }, { from, to, durationMinutes: type.durationMinutes }).filter((s) => !self || s.start > now);
  return { timeZone, slots: slots.map((s) => ({ startsAt: s.start.toISOString(), endsAt: s.end.toISOString() })) };
}
