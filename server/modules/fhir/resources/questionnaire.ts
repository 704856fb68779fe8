import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import type { QuestionnaireDefinition } from '../../../../shared/schemas/questionnaires.ts';
import { compact, type Exported, type FhirSource, instant } from '../fhir-source.ts';

type Row = { id: string; practice_id: string | null; key: string; version: number; definition: QuestionnaireDefinition; created_at: string };

/** The canonical URL of a questionnaire: built-ins are shared by every practice. */
export const questionnaireUrl = (practiceId: string | null, key: string) => `urn:pams:questionnaire:${practiceId ?? 'builtin'}:${key}`;

export const itemTypes = { choice: 'choice', number: 'decimal', text: 'text', boolean: 'boolean' } as const;

/** One version of a questionnaire is one Questionnaire resource; answer options carry their score. */
export const questionnaireSource: FhirSource<Row> = {
  resourceType: 'Questionnaire',
  columns: 't.id, q.practice_id, q.key, t.version, t.definition, t.created_at',
  from: 'questionnaire_version t join questionnaire q on q.id = t.questionnaire_id where (q.practice_id = ? or q.practice_id is null)',
  ofPatient: "t.id in (select a.questionnaire_version_id from assessment a where a.patient_id = ? and a.status <> 'abandoned')",
  changedAt: 't.created_at',
  toResource: (r): Exported<Questionnaire> =>
    compact({
      resourceType: 'Questionnaire',
      id: r.id,
      meta: { lastUpdated: instant(r.created_at) },
      url: questionnaireUrl(r.practice_id, r.key),
      version: String(r.version),
      title: r.definition.title,
      status: 'active',
      description: r.definition.description,
      code: r.definition.totalCode ? [compact({ ...r.definition.totalCode })] : undefined,
      item: r.definition.items.map(
        (item): QuestionnaireItem =>
          compact({
            linkId: item.id,
            text: item.text,
            type: itemTypes[item.type],
            required: item.required,
            answerOption: item.options?.map((o) => ({
              valueCoding: { code: String(o.value), display: o.label },
              extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/ordinalValue', valueDecimal: o.score }],
            })),
          }),
      ),
    }),
};
