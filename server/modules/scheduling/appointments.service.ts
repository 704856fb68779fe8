import { DriverException } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { BookAppointmentInput, CancelAppointmentInput, RescheduleAppointmentInput } from '../../../shared/schemas/scheduling.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { chargeCompletedVisit } from '../billing/charges.service.ts';
import { publishNotifications } from '../notifications/publish-notifications.ts';
import { joinCareTeam } from '../patients/care-team.service.ts';
import { findWritablePatient } from '../patients/patient-access.ts';
import { findVisibleAppointment } from './appointment-access.ts';
import { findBookableType } from './appointment-types.service.ts';
import { toAppointmentDto } from './appointment.dto.ts';
import { AppointmentType } from './appointment-type.entity.ts';
import { Appointment, type VisitOutcome } from './appointment.entity.ts';
import { assertWithinAvailability, findClinician } from './clinician-schedule.ts';
import { assertAhead, assertBeforeCancellationWindow, assertOnCareTeam, assertPatientBookable, booksForThemselves } from './patient-booking.ts';

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

/** Tells the patient (and guardians) and the clinician, but not whoever did it. */
const announce = (ctx: AuthedCtx, kind: 'appointment.booked' | 'appointment.rescheduled' | 'appointment.cancelled', a: Appointment) =>
  publishNotifications(ctx.em, {
    kind,
    practiceId: ctx.actor.practiceId,
    patientId: a.patient.id,
    subject: { type: 'appointment', id: a.id },
    data: { appointmentId: a.id },
    to: { portal: true, users: [a.clinician.id] },
    by: ctx.actor.userId,
  });

/**
 * Staff book any patient they see with any clinician, who joins the care team; a patient (or guardian)
 * books their own with a clinician already on it, a patient-bookable type, at a time ahead (patient-booking.ts).
 */
export async function bookAppointment(ctx: AuthedCtx, { clinicianId, patientId, typeId, startsAt }: BookAppointmentInput) {
  const self = booksForThemselves(ctx.actor);
  const patient = await findWritablePatient(ctx.em, ctx.actor, patientId);
  const clinician = await findClinician(ctx.em, clinicianId);
  if (self) await assertOnCareTeam(ctx, clinicianId, patient.id);
  const type = await findBookableType(ctx.em, typeId);
  const start = new Date(startsAt);
  if (self) {
    assertPatientBookable(type);
    assertAhead(ctx, start);
  }
  const visit = { start, end: new Date(start.getTime() + type.durationMinutes * 60_000) };
  await assertWithinAvailability(ctx, clinicianId, visit);
  // Staff's booked clinician joins the patient's care team, or they could not see their own appointment
  // (a patient's is on it already).
  if (!self) await joinCareTeam(ctx, patient.id, clinician);
  const appointment = ctx.em.create(Appointment, {
    practice: ctx.actor.practiceId,
    clinician,
    patient,
    type,
    startsAt: visit.start,
    endsAt: visit.end,
    bookedBy: ctx.actor.userId,
    bookedVia: self ? 'portal' : 'staff',
  });
  recordAudit(ctx, { action: 'appointment.booked', entityType: 'appointment', entityId: appointment.id, detail: { patientId, clinicianId } });
  await announce(ctx, 'appointment.booked', appointment);
  await flushSlot(ctx);
  return toAppointmentDto(appointment);
}

/** A patient moves their own visit before the cancellation window, to a time ahead, if they could book its type. */
export async function rescheduleAppointment(ctx: AuthedCtx, { id, startsAt }: RescheduleAppointmentInput) {
  const appointment = await findVisibleAppointment(ctx, id);
  const previousStart = appointment.startsAt.toISOString();
  const start = new Date(startsAt);
  if (booksForThemselves(ctx.actor)) {
    assertBeforeCancellationWindow(ctx, appointment, 'moved');
    assertPatientBookable(await ctx.em.findOneOrFail(AppointmentType, appointment.type.id));
    assertAhead(ctx, start);
  }
  appointment.reschedule(start);
  await assertWithinAvailability(ctx, appointment.clinician.id, { start: appointment.startsAt, end: appointment.endsAt });
  recordAudit(ctx, { action: 'appointment.rescheduled', entityType: 'appointment', entityId: id, detail: { from: previousStart, to: appointment.startsAt.toISOString() } });
  await announce(ctx, 'appointment.rescheduled', appointment);
  await flushSlot(ctx);
  return toAppointmentDto(appointment);
}

async function changeStatus(ctx: AuthedCtx, appointment: Appointment, change: (appointment: Appointment) => void | Promise<void>) {
  await change(appointment);
  recordAudit(ctx, { action: `appointment.${appointment.status}`, entityType: 'appointment', entityId: appointment.id });
  await ctx.em.flush();
  return toAppointmentDto(appointment);
}

/**
 * A patient cancels their own visit before the cancellation window; staff at any time. The reason may
 * say anything about the patient, so it stays on the appointment, out of the audit trail.
 */
export async function cancelAppointment(ctx: AuthedCtx, { id, reason }: CancelAppointmentInput) {
  const appointment = await findVisibleAppointment(ctx, id);
  if (appointment.status === 'cancelled') return changeStatus(ctx, appointment, (a) => a.cancel(reason));
  if (booksForThemselves(ctx.actor)) assertBeforeCancellationWindow(ctx, appointment, 'cancelled');
  await announce(ctx, 'appointment.cancelled', appointment);
  return changeStatus(ctx, appointment, (a) => a.cancel(reason));
}

/**
 * Staff mark what happened, not ahead of time (Appointment.mark), by the request's clock. A visit that
 * becomes completed is charged in the same transaction (billing's chargeCompletedVisit).
 */
export async function setAppointmentStatus(ctx: AuthedCtx, { id }: IdInput, outcome: VisitOutcome) {
  const appointment = await findVisibleAppointment(ctx, id);
  return changeStatus(ctx, appointment, async (a) => {
    const completing = outcome === 'completed' && a.status !== 'completed';
    a.mark(outcome, ctx.clock.now(), ctx.actor.identity.practice.timeZone);
    if (completing) await chargeCompletedVisit(ctx, a);
  });
}
