import { DriverException } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { BookAppointmentInput, CancelAppointmentInput, RescheduleAppointmentInput } from '../../../shared/schemas/scheduling.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { joinCareTeam } from '../patients/care-team.service.ts';
import { findVisiblePatient } from '../patients/patient-access.ts';
import { findVisibleAppointment } from './appointment-access.ts';
import { findBookableType } from './appointment-types.service.ts';
import { toAppointmentDto } from './appointment.dto.ts';
import { Appointment } from './appointment.entity.ts';
import { assertWithinAvailability, findClinician } from './clinician-schedule.ts';

/**
 * Flushes a booking or a move. PostgreSQL's two exclusion constraints (appointment.entity.ts), not a
 * look before the write, keep a clinician's or a patient's visits from overlapping: only they hold when
 * two people book the same time at once. Their violation (SQLSTATE 23P01) is the caller's CONFLICT.
 */
async function flushSlot(ctx: AuthedCtx): Promise<void> {
  try {
    await ctx.em.flush();
  } catch (e) {
    if (!(e instanceof DriverException && e.code === '23P01')) throw e;
    const who = (e as DriverException & { constraint?: string }).constraint === 'appointment_patient_no_overlap' ? 'The patient' : 'The clinician';
    throw new AppError('CONFLICT', `${who} already has an appointment at that time`, 'slot-taken');
  }
}

export async function bookAppointment(ctx: AuthedCtx, { clinicianId, patientId, typeId, startsAt }: BookAppointmentInput) {
  const patient = await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const clinician = await findClinician(ctx.em, clinicianId);
  const type = await findBookableType(ctx.em, typeId);
  const start = new Date(startsAt);
  const visit = { start, end: new Date(start.getTime() + type.durationMinutes * 60_000) };
  await assertWithinAvailability(ctx, clinicianId, visit);
  // The booked clinician joins the patient's care team, or they could not see their own appointment.
  await joinCareTeam(ctx, patient.id, clinician);
  const appointment = ctx.em.create(Appointment, {
    practice: ctx.actor.practiceId,
    clinician,
    patient,
    type,
    startsAt: visit.start,
    endsAt: visit.end,
    bookedBy: ctx.actor.userId,
  });
  recordAudit(ctx, { action: 'appointment.booked', entityType: 'appointment', entityId: appointment.id, detail: { patientId, clinicianId } });
  await flushSlot(ctx);
  return toAppointmentDto(appointment);
}

export async function rescheduleAppointment(ctx: AuthedCtx, { id, startsAt }: RescheduleAppointmentInput) {
  const appointment = await findVisibleAppointment(ctx, id);
  const previousStart = appointment.startsAt.toISOString();
  appointment.reschedule(new Date(startsAt));
  await assertWithinAvailability(ctx, appointment.clinician.id, { start: appointment.startsAt, end: appointment.endsAt });
  recordAudit(ctx, { action: 'appointment.rescheduled', entityType: 'appointment', entityId: id, detail: { from: previousStart, to: appointment.startsAt.toISOString() } });
  await flushSlot(ctx);
  return toAppointmentDto(appointment);
}

async function changeStatus(ctx: AuthedCtx, id: string, change: (appointment: Appointment) => void) {
  const appointment = await findVisibleAppointment(ctx, id);
  change(appointment);
  recordAudit(ctx, { action: `appointment.${appointment.status}`, entityType: 'appointment', entityId: id });
  await ctx.em.flush();
  return toAppointmentDto(appointment);
}

/** The reason may say anything about the patient, so it stays on the appointment, out of the audit trail. */
export function cancelAppointment(ctx: AuthedCtx, { id, reason }: CancelAppointmentInput) {
  return changeStatus(ctx, id, (a) => a.cancel(reason));
}

export function setAppointmentStatus(ctx: AuthedCtx, { id }: IdInput, status: 'arrived' | 'completed' | 'no-show') {
  return changeStatus(ctx, id, (a) => a.transitionTo(status));
}
