import type { Appointment } from '@medplum/fhirtypes';
import { compact, type Exported, type FhirSource, instant, patientRef, practitionerRef } from '../fhir-source.ts';

type Row = {
  id: string;
  patient_id: string;
  status: string;
  starts_at: string;
  ends_at: string;
  cancel_reason: string | null;
  created_at: string;
  updated_at: string;
  type_name: string;
  clinician_id: string;
  clinician_name: string | null;
};

const statuses: Record<string, Appointment['status']> = { booked: 'booked', arrived: 'arrived', completed: 'fulfilled', cancelled: 'cancelled', 'no-show': 'noshow' };

export const appointmentSource: FhirSource<Row> = {
  resourceType: 'Appointment',
  columns:
    't.id, t.patient_id, t.status, t.starts_at, t.ends_at, t.cancel_reason, t.created_at, t.updated_at, ty.name as type_name, t.clinician_id, coalesce(cp.display_name, u.name) as clinician_name',
  from: 'appointment t join appointment_type ty on ty.id = t.type_id join users u on u.id = t.clinician_id left join clinician_profile cp on cp.user_id = u.id where t.practice_id = ?',
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Exported<Appointment> => {
    const start = instant(r.starts_at);
    const end = instant(r.ends_at);
    return compact({
      resourceType: 'Appointment',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      status: statuses[r.status]!,
      cancelationReason: r.cancel_reason ? { text: r.cancel_reason } : undefined,
      appointmentType: { text: r.type_name },
      start,
      end,
      minutesDuration: Math.round((Date.parse(end) - Date.parse(start)) / 60_000),
      created: instant(r.created_at),
      participant: [
        { actor: patientRef(r.patient_id), status: 'accepted' as const },
        compact({
          type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' }] }],
          actor: practitionerRef(r.clinician_id, r.clinician_name),
          status: 'accepted' as const,
        }),
      ],
    });
  },
};
