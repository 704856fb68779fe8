import { DateTime } from 'luxon';
import type { Actor, AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { CareTeamMember } from '../patients/care-team-member.entity.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import type { AppointmentType } from './appointment-type.entity.ts';
import type { Appointment } from './appointment.entity.ts';

/**
 * The finer rules for a patient, or a guardian for a dependent, booking, moving and cancelling their own
 * visits (the procedures admit every role; staff are bound by none of this). Which patients they reach is
 * patient-access.ts's business; here: only clinicians on the care team, only patient-bookable types,
 * only times ahead, and no change inside the practice's cancellation window.
 */
export const booksForThemselves = (actor: Actor): boolean => actor.role === 'patient';

/**
 * A clinician off the care team is NOT_FOUND, as if they did not exist. For free slots no patient is
 * named: the care team of any patient the caller reaches (their own, their dependents') will do.
 */
export async function assertOnCareTeam(ctx: AuthedCtx, clinicianId: string, patientId?: string): Promise<void> {
  const patient = patientId ?? visiblePatients(ctx.actor);
  if (!(await ctx.em.count(CareTeamMember, { clinician: clinicianId, patient }))) throw notFound('Clinician');
}

/** Types are no secret (every role lists the active ones), so a staff-only type is refused by name. */
export function assertPatientBookable(type: AppointmentType): void {
  if (!type.bookableByPatients) {
    throw new AppError('BAD_REQUEST', 'This appointment type is booked by the practice: please contact them', 'not-bookable-by-patients', { typeId: ['is not bookable by patients'] });
  }
}

export function assertAhead(ctx: AuthedCtx, start: Date): void {
  if (start <= ctx.clock.now()) throw new AppError('BAD_REQUEST', 'That time has already begun: choose a later one', 'in-the-past', { startsAt: ['must be in the future'] });
}

/** Patients cancel or move a visit until the window before it opens (practice setting `cancellationWindowHours`). */
export function assertBeforeCancellationWindow(ctx: AuthedCtx, appointment: Appointment, change: 'cancelled' | 'moved'): void {
  const { cancellationWindowHours: hours, timeZone } = ctx.actor.identity.practice;
  const deadline = new Date(appointment.startsAt.getTime() - hours * 3_600_000);
  if (ctx.clock.now() <= deadline) return;
  const until = DateTime.fromJSDate(deadline, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
  throw new AppError(
    'CONFLICT',
    `This visit could be ${change} online until ${until} (${timeZone}), ${hours} hours before it starts; the practice can still change it: please contact them`,
    'inside-cancellation-window',
  );
}
