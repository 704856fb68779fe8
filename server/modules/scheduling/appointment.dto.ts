import type { AppointmentOutput } from '../../../shared/schemas/scheduling.ts';
import type { Appointment } from './appointment.entity.ts';

export function toAppointmentDto(a: Appointment): AppointmentOutput {
  return {
    id: a.id,
    clinicianId: a.clinician.id,
    patientId: a.patient.id,
    typeId: a.type.id,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    status: a.status,
    cancelReason: a.cancelReason ?? null,
    bookedBy: a.bookedBy,
    bookedVia: a.bookedVia,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
