import type { Appointment } from './appointment.entity.ts';

export type AppointmentDto = ReturnType<typeof toAppointmentDto>;

export function toAppointmentDto(a: Appointment) {
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
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
