import type { Observation } from '@medplum/fhirtypes';
import { UCUM_SYSTEM } from '../../../../shared/ucum.ts';
import { compact, concept, type Exported, type FhirSource, instant, notes, patientRef } from '../fhir-source.ts';
import { clinicalRecordColumns, clinicalRecordsOf, type ClinicalRecordRow } from './clinical-record-row.ts';

type Data = {
  category: 'laboratory' | 'vital-signs';
  name: string;
  code?: { system: string; code: string; display?: string };
  valueNumber?: number;
  valueText?: string;
  unit?: string;
  unitCode?: string;
  referenceLow?: number;
  referenceHigh?: number;
  referenceText?: string;
  abnormalFlag?: 'normal' | 'low' | 'high' | 'critical-low' | 'critical-high' | 'abnormal';
  effectiveAt: string;
  note?: string;
};

/** Our abnormal flags in HL7 v3 ObservationInterpretation. */
const interpretations = { normal: 'N', low: 'L', high: 'H', 'critical-low': 'LL', 'critical-high': 'HH', abnormal: 'A' } as const;

/** Labs and vital signs of the clinical record. */
export const observationSource: FhirSource<ClinicalRecordRow<Data>> = {
  resourceType: 'Observation',
  columns: clinicalRecordColumns,
  from: clinicalRecordsOf('observation'),
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: ({ id, patient_id, status, data, updated_at }): Exported<Observation> => {
    const ucum = data.unitCode ? { system: UCUM_SYSTEM, code: data.unitCode } : {};
    const quantity = (value: number | undefined) => (value === undefined ? undefined : compact({ value, unit: data.unit, ...ucum }));
    // low and high are inclusive limits; a range they cannot say ("<5.7") is in its text alone.
    const range = compact({ low: quantity(data.referenceLow), high: quantity(data.referenceHigh), text: data.referenceText });
    return compact({
      resourceType: 'Observation',
      id,
      meta: { lastUpdated: instant(updated_at) },
      // Our statuses are FHIR's Observation statuses, one for one.
      status: status as Observation['status'],
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: data.category }] }],
      code: concept(data.name, data.code),
      subject: patientRef(patient_id),
      effectiveDateTime: instant(data.effectiveAt),
      valueQuantity: quantity(data.valueNumber),
      valueString: data.valueText,
      interpretation: data.abnormalFlag ? [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: interpretations[data.abnormalFlag] }] }] : undefined,
      referenceRange: Object.keys(range).length ? [range] : undefined,
      note: notes(data.note),
    });
  },
};
