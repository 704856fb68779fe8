import type { Condition } from '@medplum/fhirtypes';
import { compact, concept, type Exported, type FhirSource, instant, notes, patientRef } from '../fhir-source.ts';
import { clinicalRecordColumns, clinicalRecordsOf, type ClinicalRecordRow } from './clinical-record-row.ts';

type Data = { name: string; code?: { system: string; code: string; display?: string }; onsetDate?: string; abatementDate?: string; note?: string };

const clinical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] });
const verification = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code }] });
/** FHIR (con-4): only an inactive, resolved or remitted condition has an abatement. */
const abated = new Set(['inactive', 'resolved', 'remission']);

export const conditionSource: FhirSource<ClinicalRecordRow<Data>> = {
  resourceType: 'Condition',
  columns: clinicalRecordColumns,
  from: clinicalRecordsOf('condition'),
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: ({ id, patient_id, status, data, created_at, updated_at }): Exported<Condition> => {
    const inError = status === 'entered-in-error';
    return compact({
      resourceType: 'Condition',
      id,
      meta: { lastUpdated: instant(updated_at) },
      // FHIR (con-5): an entry in error carries no clinical status.
      clinicalStatus: inError ? undefined : clinical(status),
      verificationStatus: verification(inError ? 'entered-in-error' : 'confirmed'),
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: concept(data.name, data.code),
      subject: patientRef(patient_id),
      onsetDateTime: data.onsetDate,
      abatementDateTime: abated.has(status) ? data.abatementDate : undefined,
      recordedDate: instant(created_at),
      note: notes(data.note),
    });
  },
};
