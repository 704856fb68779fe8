import type { RelatedPerson } from '@medplum/fhirtypes';
import { compact, type Exported, type FhirSource, instant, patientRef } from '../fhir-source.ts';

type Row = { id: string; patient_id: string; relationship: string; name: string; phone: string | null; email: string | null; created_at: string };

export const relatedPersonSource: FhirSource<Row> = {
  resourceType: 'RelatedPerson',
  columns: 't.id, t.patient_id, t.relationship, t.name, t.phone, t.email, t.created_at',
  from: 'related_person t where t.practice_id = ?',
  ofPatient: 't.patient_id = ?',
  changedAt: 't.created_at',
  toResource: (r): Exported<RelatedPerson> =>
    compact({
      resourceType: 'RelatedPerson',
      id: r.id,
      meta: { lastUpdated: instant(r.created_at) },
      patient: patientRef(r.patient_id),
      relationship: [{ text: r.relationship }],
      name: [{ text: r.name }],
      telecom: [...(r.phone ? [{ system: 'phone' as const, value: r.phone }] : []), ...(r.email ? [{ system: 'email' as const, value: r.email }] : [])],
    }),
};
