import { z } from 'zod';
import { calendarDate, instantOutput, isoDateTime, pageInput, pageOutput, text, uuid } from './common.ts';

/**
 * Scheduling: clinicians' weekly hours and time off, appointment types, appointments and free slots.
 * Weekly hours are wall-clock times in the practice's time zone; everything else is an instant.
 */
export const appointmentStatuses = ['booked', 'arrived', 'completed', 'cancelled', 'no-show'] as const;
export type AppointmentStatus = (typeof appointmentStatuses)[number];

/** How a visit was booked: by staff, or by the patient (or their guardian) in the portal. */
export const bookingChannels = ['staff', 'portal'] as const;
export type BookingChannel = (typeof bookingChannels)[number];

/** Instants and dates within the shared bounds (shared/schemas/common.ts): a visit never runs past them. */
const instant = isoDateTime;
const date = calendarDate;

/** `HH:MM`, 24-hour; `24:00` is the midnight that ends the day, so hours may run to the end of a day. */
const timeOfDay = text()
  .max(5)
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time of day, HH:MM');

/** One stretch of a weekday's hours: ISO weekday 1 (Monday) to 7 (Sunday). */
export const weeklyHours = z
  .object({ weekday: z.number().int().min(1).max(7), start: timeOfDay, end: timeOfDay })
  .refine((h) => h.start < h.end, { path: ['end'], message: 'must be after the start' });
export type WeeklyHours = z.infer<typeof weeklyHours>;

/** Replaces a clinician's whole week: several stretches a day are fine, overlapping ones are not. */
export const setWeeklyHoursInput = z.object({ clinicianId: uuid, hours: z.array(weeklyHours).max(70) }).superRefine(({ hours }, ctx) => {
  const sorted = hours.map((h, index) => ({ ...h, index })).sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  // Against the stretch reaching latest so far that day: 09-17 then 10-11 then 12-13 overlap twice.
  let latest: WeeklyHours | undefined;
  for (const h of sorted) {
    const sameDay = latest?.weekday === h.weekday;
    if (sameDay && h.start < latest!.end) ctx.addIssue({ code: 'custom', path: ['hours', h.index, 'start'], message: 'overlaps other hours on the same day' });
    if (!sameDay || h.end > latest!.end) latest = h;
  }
});
export type SetWeeklyHoursInput = z.infer<typeof setWeeklyHoursInput>;

export const clinicianIdInput = z.object({ clinicianId: uuid });
export type ClinicianIdInput = z.infer<typeof clinicianIdInput>;

const startsBeforeEnds = { path: ['endsAt'], message: 'must be after the start' };

/** Time off: no appointment may be booked or moved into it. */
export const addExceptionInput = z
  .object({ clinicianId: uuid, startsAt: instant, endsAt: instant, reason: text().trim().min(1, 'is required').max(200) })
  .refine((e) => Date.parse(e.startsAt) < Date.parse(e.endsAt), startsBeforeEnds);
export type AddExceptionInput = z.infer<typeof addExceptionInput>;

const typeName = text().trim().min(1, 'is required').max(100);
const durationMinutes = z.number().int().min(5).max(480);

/** `serviceId`: the price-list service a completed visit of this type is charged as (none: not charged). */
export const createAppointmentTypeInput = z.object({ name: typeName, durationMinutes, bookableByPatients: z.boolean().default(false), serviceId: uuid.nullable().default(null) });
export type CreateAppointmentTypeInput = z.infer<typeof createAppointmentTypeInput>;

/** A new duration applies to later bookings; appointments already booked keep their length. */
export const updateAppointmentTypeInput = z.object({
  id: uuid,
  name: typeName.optional(),
  durationMinutes: durationMinutes.optional(),
  active: z.boolean().optional(),
  bookableByPatients: z.boolean().optional(),
  serviceId: uuid.nullable().optional(),
});
export type UpdateAppointmentTypeInput = z.infer<typeof updateAppointmentTypeInput>;

export const listAppointmentTypesInput = z.object({ includeInactive: z.boolean().default(false) }).prefault({});
export type ListAppointmentTypesInput = z.infer<typeof listAppointmentTypesInput>;

/** The appointment lasts the type's duration from `startsAt`. */
export const bookAppointmentInput = z.object({ clinicianId: uuid, patientId: uuid, typeId: uuid, startsAt: instant });
export type BookAppointmentInput = z.infer<typeof bookAppointmentInput>;

export const rescheduleAppointmentInput = z.object({ id: uuid, startsAt: instant });
export type RescheduleAppointmentInput = z.infer<typeof rescheduleAppointmentInput>;

export const cancelAppointmentInput = z.object({ id: uuid, reason: text().trim().min(1, 'is required').max(500) });
export type CancelAppointmentInput = z.infer<typeof cancelAppointmentInput>;

/** Appointments starting in [from, to), oldest first. */
export const listAppointmentsInput = pageInput
  .extend({
    clinicianId: uuid.optional(),
    patientId: uuid.optional(),
    from: instant.optional(),
    to: instant.optional(),
    status: z.enum(appointmentStatuses).optional(),
  })
  .refine((l) => !l.from || !l.to || Date.parse(l.from) < Date.parse(l.to), { path: ['to'], message: 'must be after from' });
export type ListAppointmentsInput = z.infer<typeof listAppointmentsInput>;

const MAX_SLOT_SEARCH_DAYS = 31;
const DAY_MS = 86_400_000;

/** Calendar dates in the practice's time zone, both included, at most 31 days. */
export const freeSlotsInput = z
  .object({ clinicianId: uuid, typeId: uuid, from: date, to: date })
  .refine((r) => r.from <= r.to, { path: ['to'], message: 'must not be before from' })
  .refine((r) => (Date.parse(r.to) - Date.parse(r.from)) / DAY_MS < MAX_SLOT_SEARCH_DAYS, { path: ['to'], message: `the range may span at most ${MAX_SLOT_SEARCH_DAYS} days` });
export type FreeSlotsInput = z.infer<typeof freeSlotsInput>;

/* Outputs */
export const weeklyHoursOutput = z.object({
  weekday: z.number().describe('ISO weekday: 1 (Monday) to 7 (Sunday)'),
  start: z.string().describe("HH:MM in the practice's time zone"),
  end: z.string().describe("HH:MM in the practice's time zone; 24:00 is the end of the day"),
});
export const weeklyHoursListOutput = z.array(weeklyHoursOutput);

export const availabilityExceptionOutput = z.object({
  id: z.string(),
  clinicianId: z.string(),
  startsAt: instantOutput,
  endsAt: instantOutput,
  reason: z.string().nullable().describe('Null unless the caller is the clinician or an admin'),
  createdAt: instantOutput,
});
export type AvailabilityExceptionOutput = z.infer<typeof availabilityExceptionOutput>;

/** A clinician's weekly hours and the time off not yet over. */
export const availabilityOutput = z.object({
  clinicianId: z.string(),
  timeZone: z.string(),
  weeklyHours: z.array(weeklyHoursOutput),
  exceptions: z.array(availabilityExceptionOutput),
});

export const appointmentTypeOutput = z.object({
  id: z.string(),
  name: z.string(),
  durationMinutes: z.number(),
  active: z.boolean().describe('False once retired: no longer offered for booking'),
  bookableByPatients: z.boolean().describe('Patients may book it themselves, with a clinician on their care team'),
  serviceId: z.string().nullable().describe('The service a completed visit of this type is charged as; null: none'),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type AppointmentTypeOutput = z.infer<typeof appointmentTypeOutput>;
export const appointmentTypeListOutput = z.array(appointmentTypeOutput);

export const appointmentOutput = z.object({
  id: z.string(),
  clinicianId: z.string(),
  patientId: z.string(),
  typeId: z.string(),
  startsAt: instantOutput,
  endsAt: instantOutput,
  status: z.enum(appointmentStatuses),
  cancelReason: z.string().nullable(),
  bookedBy: z.string().describe('The user who booked it'),
  bookedVia: z.enum(bookingChannels).describe('portal: booked by the patient or their guardian themselves; staff: by a clinician or admin'),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type AppointmentOutput = z.infer<typeof appointmentOutput>;
export const appointmentPageOutput = pageOutput(appointmentOutput);

export const freeSlotsOutput = z.object({
  timeZone: z.string().describe("The practice's time zone, in which the dates were read"),
  slots: z.array(z.object({ startsAt: instantOutput, endsAt: instantOutput })),
});
