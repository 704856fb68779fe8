import type { MedicationStatement } from '@medplum/fhirtypes';
import { compact, concept, type Exported, type FhirSource, instant, notes, patientRef } from '../fhir-source.ts';
import { clinicalRecordColumns, clinicalRecordsOf, type ClinicalRecordRow } from './clinical-record-row.ts';

type Data = {
  name: string;
  code?: { system: string; code: string; display?: string };
  dose?: string;
  route?: string;
  frequency?: string;
  startDate?: string;
  endDate?: string;
  prescriber?: string;
  note?: string;
};

export const medicationStatementSource: FhirSource<ClinicalRecordRow<Data>> = {
  resourceType: 'MedicationStatement',
  columns: clinicalRecordColumns,
  from: clinicalRecordsOf('medication'),
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: ({ id, patient_id, status, data, created_at, updated_at }): Exported<MedicationStatement> => {
    const dosageText = [data.dose, data.frequency].filter(Boolean).join(', ');
    return compact({
      resourceType: 'MedicationStatement',
      id,
      meta: { lastUpdated: instant(updated_at) },
      // Our statuses are FHIR's MedicationStatement statuses, one for one.
      status: status as MedicationStatement['status'],
      medicationCodeableConcept: concept(data.name, data.code),
      subject: patientRef(patient_id),
      effectivePeriod: data.startDate || data.endDate ? compact({ start: data.startDate, end: data.endDate }) : undefined,
      dateAsserted: instant(created_at),
      dosage: dosageText || data.route ? [compact({ text: dosageText || undefined, route: data.route ? { text: data.route } : undefined })] : undefined,
      note: notes(data.prescriber && `Prescriber: ${data.prescriber}`, data.note),
    });
  },
};
