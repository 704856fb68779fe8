import type { QuestionnaireResponse, QuestionnaireResponseItemAnswer } from '@medplum/fhirtypes';
import type { AnswerValue, QuestionItem, QuestionnaireDefinition } from '../../../../shared/schemas/questionnaires.ts';
import { compact, type Exported, type FhirSource, instant, patientRef } from '../fhir-source.ts';
import { questionnaireUrl } from './questionnaire.ts';

type Row = {
  id: string;
  patient_id: string;
  status: string;
  answers: Record<string, AnswerValue>;
  submitted_at: string | null;
  updated_at: string;
  practice_id: string | null;
  key: string;
  version: number;
  items: QuestionnaireDefinition['items'];
};

function answerOf(item: QuestionItem, value: AnswerValue): QuestionnaireResponseItemAnswer | null {
  if (value === '') return null;
  if (item.type === 'choice') {
    const option = item.options?.find((o) => o.value === value);
    return { valueCoding: compact({ code: String(value), display: option?.label }) };
  }
  if (typeof value === 'number') return { valueDecimal: value };
  if (typeof value === 'boolean') return { valueBoolean: value };
  return { valueString: value };
}

/** An assessment as answered, pointing at the exact questionnaire version it was started on; an abandoned one is not exported. */
export const questionnaireResponseSource: FhirSource<Row> = {
  resourceType: 'QuestionnaireResponse',
  columns: `t.id, t.patient_id, t.status, t.answers, t.submitted_at, t.updated_at, q.practice_id, q.key, v.version, v.definition->'items' as items`,
  from: "assessment t join questionnaire q on q.id = t.questionnaire_id join questionnaire_version v on v.id = t.questionnaire_version_id where t.practice_id = ? and t.status <> 'abandoned'",
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Exported<QuestionnaireResponse> =>
    compact({
      resourceType: 'QuestionnaireResponse',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      questionnaire: `${questionnaireUrl(r.practice_id, r.key)}|${r.version}`,
      status: r.status === 'submitted' ? 'completed' : 'in-progress',
      subject: patientRef(r.patient_id),
      authored: instant(r.submitted_at ?? r.updated_at),
      item: r.items.flatMap((item) => {
        const value = r.answers[item.id];
        const answer = value === undefined ? null : answerOf(item, value);
        return answer ? [{ linkId: item.id, text: item.text, answer: [answer] }] : [];
      }),
    }),
};
