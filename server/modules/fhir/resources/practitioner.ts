import type { Practitioner } from '@medplum/fhirtypes';
import { practitionerSql } from '../../clinicians/practitioner-sql.ts';
import { compact, type Exported, type FhirSource, instant, photoAttachment } from '../fhir-source.ts';

type Row = {
  id: string;
  email: string;
  name: string | null;
  status: string;
  display_name: string | null;
  title: string | null;
  languages: string[] | null;
  registration_system: string | null;
  registration_value: string | null;
  registration_issuer: string | null;
  phone: string | null;
  photo_file_id: string | null;
  photo_type: string | null;
  changed_at: string;
};

/** The practice's clinicians as Practitioners, by user id (what appointments and care teams name); a patient's are their care team. */
export const practitionerSource: FhirSource<Row> = {
  resourceType: 'Practitioner',
  columns:
    't.id, t.email, t.name, t.status, cp.display_name, cp.title, cp.languages, cp.registration_system, cp.registration_value, cp.registration_issuer, cp.phone, f.id as photo_file_id, f.media_type as photo_type, greatest(t.updated_at, cp.updated_at) as changed_at',
  from: `users t left join clinician_profile cp on cp.user_id = t.id left join stored_file f on f.id = cp.photo_file_id where t.practice_id = ? and t.status <> 'invited' and ${practitionerSql('t', 'cp')}`,
  ofPatient: 't.id in (select m.clinician_id from care_team_member m where m.patient_id = ?)',
  changedAt: 'greatest(t.updated_at, cp.updated_at)',
  toResource: (r, { appUrl }): Exported<Practitioner> => {
    const name = r.display_name ?? r.name;
    return compact({
      resourceType: 'Practitioner',
      id: r.id,
      meta: { lastUpdated: instant(r.changed_at) },
      identifier:
        r.registration_system && r.registration_value
          ? [compact({ system: r.registration_system, value: r.registration_value, assigner: r.registration_issuer ? { display: r.registration_issuer } : undefined })]
          : undefined,
      active: r.status === 'active',
      name: name ? [compact({ text: name, prefix: r.title ? [r.title] : undefined })] : undefined,
      telecom: [{ system: 'email' as const, value: r.email, use: 'work' as const }, ...(r.phone ? [{ system: 'phone' as const, value: r.phone, use: 'work' as const }] : [])],
      communication: r.languages?.map((code) => ({ coding: [{ system: 'urn:ietf:bcp:47', code }] })),
      photo: photoAttachment(appUrl, r.photo_file_id, r.photo_type),
    });
  },
};
