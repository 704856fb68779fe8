import { idInput, okOutput } from '../../../shared/schemas/common.ts';
import {
  addExceptionInput,
  appointmentOutput,
  appointmentPageOutput,
  appointmentTypeListOutput,
  appointmentTypeOutput,
  availabilityExceptionOutput,
  availabilityOutput,
  bookAppointmentInput,
  cancelAppointmentInput,
  clinicianIdInput,
  createAppointmentTypeInput,
  freeSlotsInput,
  freeSlotsOutput,
  listAppointmentTypesInput,
  listAppointmentsInput,
  rescheduleAppointmentInput,
  setWeeklyHoursInput,
  updateAppointmentTypeInput,
  weeklyHoursListOutput,
} from '../../../shared/schemas/scheduling.ts';
import { adminProcedure, authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { getAppointment, listAppointments } from './appointment-reads.service.ts';
import { createAppointmentType, listAppointmentTypes, updateAppointmentType } from './appointment-types.service.ts';
import { bookAppointment, cancelAppointment, rescheduleAppointment, setAppointmentStatus } from './appointments.service.ts';
import { addException, listAvailability, removeException, setWeeklyHours } from './availability.service.ts';
import { findFreeSlots } from './free-slots.service.ts';

export const availabilityRouter = router({
  list: clinicianProcedure
    .input(clinicianIdInput)
    .output(availabilityOutput)
    .query(({ ctx, input }) => listAvailability(ctx, input)),
  setWeeklyHours: clinicianProcedure
    .input(setWeeklyHoursInput)
    .output(weeklyHoursListOutput)
    .mutation(({ ctx, input }) => setWeeklyHours(ctx, input)),
  addException: clinicianProcedure
    .input(addExceptionInput)
    .output(availabilityExceptionOutput)
    .mutation(({ ctx, input }) => addException(ctx, input)),
  removeException: clinicianProcedure
    .input(idInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => removeException(ctx, input)),
});

export const appointmentTypesRouter = router({
  list: authedProcedure
    .input(listAppointmentTypesInput)
    .output(appointmentTypeListOutput)
    .query(({ ctx, input }) => listAppointmentTypes(ctx, input)),
  create: adminProcedure
    .input(createAppointmentTypeInput)
    .output(appointmentTypeOutput)
    .mutation(({ ctx, input }) => createAppointmentType(ctx, input)),
  update: adminProcedure
    .input(updateAppointmentTypeInput)
    .output(appointmentTypeOutput)
    .mutation(({ ctx, input }) => updateAppointmentType(ctx, input)),
});

/**
 * Patients (and guardians) read their own appointments, and book, move and cancel them under the rules
 * of patient-booking.ts; marking what happened at a visit is for staff.
 */
export const appointmentsRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listAppointmentsInput)
    .output(appointmentPageOutput)
    .query(({ ctx, input }) => listAppointments(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(appointmentOutput)
    .query(({ ctx, input }) => getAppointment(ctx, input)),
  freeSlots: authedProcedure
    .input(freeSlotsInput)
    .output(freeSlotsOutput)
    .query(({ ctx, input }) => findFreeSlots(ctx, input)),
  book: authedProcedure
    .meta({ phi: true })
    .input(bookAppointmentInput)
    .output(appointmentOutput)
    .mutation(({ ctx, input }) => bookAppointment(ctx, input)),
  reschedule: authedProcedure
    .meta({ phi: true })
    .input(rescheduleAppointmentInput)
    .output(appointmentOutput)
    .mutation(({ ctx, input }) => rescheduleAppointment(ctx, input)),
  cancel: authedProcedure
    .meta({ phi: true })
    .input(cancelAppointmentInput)
    .output(appointmentOutput)
    .mutation(({ ctx, input }) => cancelAppointment(ctx, input)),
  markArrived: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(appointmentOutput)
    .mutation(({ ctx, input }) => setAppointmentStatus(ctx, input, 'arrived')),
  complete: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(appointmentOutput)
    .mutation(({ ctx, input }) => setAppointmentStatus(ctx, input, 'completed')),
  markNoShow: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(appointmentOutput)
    .mutation(({ ctx, input }) => setAppointmentStatus(ctx, input, 'no-show')),
});
