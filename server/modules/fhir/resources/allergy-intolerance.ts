import type { AllergyIntolerance } from '@medplum/fhirtypes';
import { compact, concept, type Exported, type FhirSource, instant, notes, patientRef } from '../fhir-source.ts';
import { clinicalRecordColumns, clinicalRecordsOf, type ClinicalRecordRow } from './clinical-record-row.ts';

type Data = {
  substance: string;
  code?: { system: string; code: string; display?: string };
  category?: 'medication' | 'food' | 'environment' | 'biologic';
  reactions?: string[];
  severity: 'mild' | 'moderate' | 'severe';
  onsetDate?: string;
  note?: string;
};

const clinical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code }] });
const verification = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code }] });

export const allergyIntoleranceSource: FhirSource<ClinicalRecordRow<Data>> = {
  resourceType: 'AllergyIntolerance',
  columns: clinicalRecordColumns,
  from: clinicalRecordsOf('allergy'),
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: ({ id, patient_id, status, data, created_at, updated_at }): Exported<AllergyIntolerance> => {
    const inError = status === 'entered-in-error';
    return compact({
      resourceType: 'AllergyIntolerance',
      id,
      meta: { lastUpdated: instant(updated_at) },
      // FHIR (ait-2): an entry in error carries no clinical status.
      clinicalStatus: inError ? undefined : clinical(status),
      verificationStatus: verification(inError ? 'entered-in-error' : 'confirmed'),
      category: data.category ? [data.category] : undefined,
      code: concept(data.substance, data.code),
      patient: patientRef(patient_id),
      onsetDateTime: data.onsetDate,
      recordedDate: instant(created_at),
      // FHIR's reaction is one adverse event; its manifestations are that event's signs and symptoms, one
      // each. The record's reactions (HL7's AL1-5) are the signs of the one allergy, at its one severity:
      // one reaction, a manifestation per entry. (A reaction needs a manifestation: none, no reaction.)
      reaction: data.reactions?.length ? [{ manifestation: data.reactions.map((text) => ({ text })), severity: data.severity }] : undefined,
      criticality: data.severity === 'severe' ? 'high' : 'low',
      note: notes(data.note),
    });
  },
};
