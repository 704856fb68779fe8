import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import { Appointment } from './appointment.entity.ts';

/**
 * An appointment is seen by whoever sees its patient (patient-access.ts): admins all, clinicians their
 * care team's, patients their own and their dependents'. Otherwise NOT_FOUND, whether it exists or not.
 */
export async function findVisibleAppointment(ctx: AuthedCtx, id: string): Promise<Appointment> {
  const appointment = await ctx.em.findOne(Appointment, { id, patient: visiblePatients(ctx.actor) });
  if (!appointment) throw notFound('Appointment');
  return appointment;
}
