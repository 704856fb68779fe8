import type { IdInput } from '../../../shared/schemas/common.ts';
import type { ListAppointmentsInput } from '../../../shared/schemas/scheduling.ts';
import type { AuthedCtx } from '../../context.ts';
import { keyset, period, toPage, type SortKey } from '../../pagination.ts';
import { auditRead } from '../audit/audit.service.ts';
import { findVisiblePatient, visiblePatients } from '../patients/patient-access.ts';
import { findVisibleAppointment } from './appointment-access.ts';
import { toAppointmentDto } from './appointment.dto.ts';
import { Appointment } from './appointment.entity.ts';

const byStart: SortKey[] = [{ field: 'startsAt', dir: 'asc', date: true }];

export async function getAppointment(ctx: AuthedCtx, { id }: IdInput) {
  const appointment = await findVisibleAppointment(ctx, id);
  await auditRead(ctx, { action: 'appointment.read', entityType: 'appointment', entityId: id });
  return toAppointmentDto(appointment);
}

/** The caller's visible appointments, filtered; asking for a patient one may not see is NOT_FOUND. */
export async function listAppointments(ctx: AuthedCtx, input: ListAppointmentsInput) {
  if (input.patientId) await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, byStart);
  const filters = {
    clinician: input.clinicianId,
    patient: input.patientId,
    status: input.status,
    startsAt: period(input.from, input.to),
  };
  const rows = await ctx.em.find(Appointment, { $and: [where, { patient: visiblePatients(ctx.actor) }, filters] }, { orderBy, limit: input.limit + 1 });
  const page = toPage(rows, input.limit, byStart, toAppointmentDto);
  await auditRead(ctx, { action: 'appointment.listed', entityType: 'appointment', detail: { results: page.items.length, ids: page.items.map((a) => a.id).join(',') } });
  return page;
}
