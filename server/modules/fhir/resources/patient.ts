import type { Patient } from '@medplum/fhirtypes';
import { compact, type Exported, type FhirSource, instant, photoAttachment } from '../fhir-source.ts';
import { patientColumn, selectPatientColumns } from '../../patients/patient-columns.ts';
import type { Patient as PatientEntity } from '../../patients/patient.entity.ts';

const properties = [
  'id',
  'practice',
  'mrn',
  'givenName',
  'middleNames',
  'familyName',
  'birthDate',
  'gender',
  'email',
  'phone',
  'address',
  'preferredLanguage',
  'emergencyContact',
  'status',
  'mergedIntoId',
  'updatedAt',
] as const;

type Row = Omit<Pick<PatientEntity, (typeof properties)[number]>, 'practice' | 'updatedAt'> & {
  practice: string;
  updatedAt: string;
  replaces: string[] | null;
  photoFileId: string | null;
  photoType: string | null;
};

/** The records merged into this one (patients.merge), oldest first: each is linked as replaced. */
const REPLACES = `(select array_agg(m.${patientColumn.id} order by m.${patientColumn.id}) from patient m where m.${patientColumn.mergedIntoId} = t.${patientColumn.id}) as replaces`;

/** A merge both ways: the merged-away record is `replaced-by` the one it went into, which `replaces` each merged into it. */
function mergeLinks(r: Row): Patient['link'] {
  return [
    ...(r.mergedIntoId ? [{ other: { reference: `Patient/${r.mergedIntoId}` }, type: 'replaced-by' as const }] : []),
    ...(r.replaces ?? []).map((id) => ({ other: { reference: `Patient/${id}` }, type: 'replaces' as const })),
  ];
}

/** The MRN's identifier system: MRNs are unique within one practice. */
const mrnSystem = (practiceId: string) => `urn:pams:practice:${practiceId}:mrn`;

export const patientSource: FhirSource<Row> = {
  resourceType: 'Patient',
  columns: `${selectPatientColumns('t', properties)}, ${REPLACES}, f.id as "photoFileId", f.media_type as "photoType"`,
  from: `patient t left join stored_file f on f.id = t.${patientColumn.photoFile} where t.practice_id = ?`,
  ofPatient: 't.id = ?',
  changedAt: `t.${patientColumn.updatedAt}`,
  toResource: (r, { appUrl }): Exported<Patient> =>
    compact({
      resourceType: 'Patient',
      id: r.id,
      meta: { lastUpdated: instant(r.updatedAt) },
      identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }], text: 'MRN' }, system: mrnSystem(r.practice), value: r.mrn }],
      active: r.status === 'active',
      name: [{ use: 'official', family: r.familyName, given: [r.givenName, ...r.middleNames] }],
      telecom: [...(r.phone ? [{ system: 'phone' as const, value: r.phone }] : []), ...(r.email ? [{ system: 'email' as const, value: r.email }] : [])],
      gender: r.gender,
      birthDate: r.birthDate,
      address: r.address ? [compact({ line: r.address.lines, city: r.address.city, state: r.address.region, postalCode: r.address.postalCode, country: r.address.country })] : undefined,
      contact: r.emergencyContact
        ? [
            {
              relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'C', display: 'Emergency Contact' }], text: r.emergencyContact.relationship }],
              name: { text: r.emergencyContact.name },
              telecom: [{ system: 'phone', value: r.emergencyContact.phone }],
            },
          ]
        : undefined,
      communication: r.preferredLanguage ? [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: r.preferredLanguage }] }, preferred: true }] : undefined,
      link: mergeLinks(r),
      photo: photoAttachment(appUrl, r.photoFileId, r.photoType),
    }),
};
