import { idInput } from '../../../shared/schemas/common.ts';
import {
  addExceptionInput,
  bookAppointmentInput,
  cancelAppointmentInput,
  clinicianIdInput,
  createAppointmentTypeInput,
  freeSlotsInput,
  listAppointmentTypesInput,
  listAppointmentsInput,
  rescheduleAppointmentInput,
  setWeeklyHoursInput,
  updateAppointmentTypeInput,
} from '../../../shared/schemas/scheduling.ts';
import { adminProcedure, authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { getAppointment, listAppointments } from './appointment-reads.service.ts';
import { createAppointmentType, listAppointmentTypes, updateAppointmentType } from './appointment-types.service.ts';
import { bookAppointment, cancelAppointment, rescheduleAppointment, setAppointmentStatus } from './appointments.service.ts';
import { addException, listAvailability, removeException, setWeeklyHours } from './availability.service.ts';
import { findFreeSlots } from './free-slots.service.ts';

export const availabilityRouter = router({
  list: clinicianProcedure.input(clinicianIdInput).query(({ ctx, input }) => listAvailability(ctx, input)),
  setWeeklyHours: clinicianProcedure.input(setWeeklyHoursInput).mutation(({ ctx, input }) => setWeeklyHours(ctx, input)),
  addException: clinicianProcedure.input(addExceptionInput).mutation(({ ctx, input }) => addException(ctx, input)),
  removeException: clinicianProcedure.input(idInput).mutation(({ ctx, input }) => removeException(ctx, input)),
});

export const appointmentTypesRouter = router({
  list: authedProcedure.input(listAppointmentTypesInput).query(({ ctx, input }) => listAppointmentTypes(ctx, input)),
  create: adminProcedure.input(createAppointmentTypeInput).mutation(({ ctx, input }) => createAppointmentType(ctx, input)),
  update: adminProcedure.input(updateAppointmentTypeInput).mutation(({ ctx, input }) => updateAppointmentType(ctx, input)),
});

/** Patients read their own appointments; every write is for staff. */
export const appointmentsRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listAppointmentsInput)
    .query(({ ctx, input }) => listAppointments(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .query(({ ctx, input }) => getAppointment(ctx, input)),
  freeSlots: clinicianProcedure.input(freeSlotsInput).query(({ ctx, input }) => findFreeSlots(ctx, input)),
  book: clinicianProcedure
    .meta({ phi: true })
    .input(bookAppointmentInput)
    .mutation(({ ctx, input }) => bookAppointment(ctx, input)),
  reschedule: clinicianProcedure
    .meta({ phi: true })
    .input(rescheduleAppointmentInput)
    .mutation(({ ctx, input }) => rescheduleAppointment(ctx, input)),
  cancel: clinicianProcedure
    .meta({ phi: true })
    .input(cancelAppointmentInput)
    .mutation(({ ctx, input }) => cancelAppointment(ctx, input)),
  markArrived: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .mutation(({ ctx, input }) => setAppointmentStatus(ctx, input, 'arrived')),
  complete: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .mutation(({ ctx, input }) => setAppointmentStatus(ctx, input, 'completed')),
  markNoShow: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .mutation(({ ctx, input }) => setAppointmentStatus(ctx, input, 'no-show')),
});
