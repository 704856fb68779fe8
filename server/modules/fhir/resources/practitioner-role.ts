import type { PractitionerRole } from '@medplum/fhirtypes';
import { codeSystems } from '../../../../shared/schemas/records.ts';
import { practitionerSql } from '../../clinicians/practitioner-sql.ts';
import { compact, concept, type Exported, type FhirSource, instant } from '../fhir-source.ts';

type Row = { id: string; user_id: string; status: string; display_name: string | null; name: string | null; specialty_name: string; specialty_code: string | null; changed_at: string };

/** A clinician's specialty, as their role at the practice: one per profile that names a specialty, by the profile's id. */
export const practitionerRoleSource: FhirSource<Row> = {
  resourceType: 'PractitionerRole',
  columns: 't.id, t.user_id, u.status, t.display_name, u.name, t.specialty_name, t.specialty_code, greatest(t.updated_at, u.updated_at) as changed_at',
  from: `clinician_profile t join users u on u.id = t.user_id where t.practice_id = ? and t.specialty_name is not null and u.status <> 'invited' and ${practitionerSql('u', 't')}`,
  ofPatient: 't.user_id in (select m.clinician_id from care_team_member m where m.patient_id = ?)',
  changedAt: 'greatest(t.updated_at, u.updated_at)',
  toResource: (r): Exported<PractitionerRole> =>
    compact({
      resourceType: 'PractitionerRole',
      id: r.id,
      meta: { lastUpdated: instant(r.changed_at) },
      active: r.status === 'active',
      practitioner: compact({ reference: `Practitioner/${r.user_id}`, display: r.display_name ?? r.name ?? undefined }),
      specialty: [concept(r.specialty_name, r.specialty_code ? { system: codeSystems.snomed, code: r.specialty_code } : undefined)],
    }),
};
