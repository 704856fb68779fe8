import type { Patient } from '@medplum/fhirtypes';
import { compact, instant, type FhirSource } from '../fhir-source.ts';

type Row = {
  id: string; practice_id: string; mrn: string; given_name: string; middle_names: string[]; family_name: string; birth_date: string; gender: Patient['gender'];
  email: string | null; phone: string | null; preferred_language: string | null; status: string; updated_at: string;
  address: { lines: string[]; city: string; region?: string; postalCode?: string; country: string } | null;
  emergency_contact: { name: string; relationship: string; phone: string } | null;
};

/** The MRN's identifier system: MRNs are unique within one practice. */
const mrnSystem = (practiceId: string) => `urn:pams:practice:${practiceId}:mrn`;

export const patientSource: FhirSource<Row> = {
  resourceType: 'Patient',
  columns: 't.id, t.practice_id, t.mrn, t.given_name, t.middle_names, t.family_name, t.birth_date::text as birth_date, t.gender, t.email, t.phone, t.address, t.preferred_language, t.emergency_contact, t.status, t.updated_at',
  from: 'patient t where t.practice_id = ?',
  ofPatient: 't.id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Patient =>
    compact({
      resourceType: 'Patient',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }], text: 'MRN' }, system: mrnSystem(r.practice_id), value: r.mrn }],
      active: r.status === 'active',
      name: [{ use: 'official', family: r.family_name, given: [r.given_name, ...r.middle_names] }],
      telecom: [
        ...(r.phone ? [{ system: 'phone' as const, value: r.phone }] : []),
        ...(r.email ? [{ system: 'email' as const, value: r.email }] : []),
      ],
      gender: r.gender,
      birthDate: r.birth_date,
      address: r.address ? [compact({ line: r.address.lines, city: r.address.city, state: r.address.region, postalCode: r.address.postalCode, country: r.address.country })] : undefined,
      contact: r.emergency_contact
        ? [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'C', display: 'Emergency Contact' }], text: r.emergency_contact.relationship }], name: { text: r.emergency_contact.name }, telecom: [{ system: 'phone', value: r.emergency_contact.phone }] }]
        : undefined,
      communication: r.preferred_language ? [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: r.preferred_language }] }, preferred: true }] : undefined,
    }),
};
