import type { Observation } from '@medplum/fhirtypes';
import { compact, concept, type Exported, type FhirSource, instant, patientRef } from '../fhir-source.ts';

type Row = {
  id: string;
  patient_id: string;
  total: number;
  severity_label: string | null;
  submitted_at: string;
  updated_at: string;
  title: string;
  total_code: { system: string; code: string; display?: string } | null;
};

/**
 * The total score of a submitted assessment, coded as its questionnaire says (LOINC 44261-6 for the
 * PHQ-9, 70274-6 for the GAD-7), derived from the QuestionnaireResponse of the same id.
 */
export const assessmentObservationSource: FhirSource<Row> = {
  resourceType: 'Observation',
  columns: `t.id, t.patient_id, t.total, t.severity_label, t.submitted_at, t.updated_at, q.title, v.definition->'totalCode' as total_code`,
  from: `assessment t join questionnaire q on q.id = t.questionnaire_id join questionnaire_version v on v.id = t.questionnaire_version_id
    where t.practice_id = ? and t.status = 'submitted' and t.total is not null`,
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Exported<Observation> =>
    compact({
      resourceType: 'Observation',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }] }],
      code: concept(`${r.title} total score`, r.total_code ?? undefined),
      subject: patientRef(r.patient_id),
      effectiveDateTime: instant(r.submitted_at),
      issued: instant(r.submitted_at),
      valueQuantity: { value: r.total, unit: 'score', system: 'http://unitsofmeasure.org', code: '{score}' },
      interpretation: r.severity_label ? [{ text: r.severity_label }] : undefined,
      derivedFrom: [{ reference: `QuestionnaireResponse/${r.id}` }],
    }),
};
