import { z } from 'zod';
import { boundedRecord, isoDateTime, pageInput, uuid } from './common.ts';
import { answerValue, questionKey } from './questionnaires.ts';

export const assessmentStatuses = ['assigned', 'in-progress', 'submitted'] as const;
export type AssessmentStatus = (typeof assessmentStatuses)[number];

/** Answers by item id. Clients never send scores: the server computes them on submit. */
export const answers = boundedRecord(questionKey, answerValue, 500);

export const startAssessmentInput = z.object({
  patientId: uuid,
  questionnaireKey: questionKey,
  /** Default: the latest version. The version is pinned for the life of the assessment. */
  version: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
  /** The patient completes it in the portal. */
  assignToPatient: z.boolean().default(false),
});
export type StartAssessmentInput = z.infer<typeof startAssessmentInput>;

export const saveAnswersInput = z.object({ id: uuid, answers });
export type SaveAnswersInput = z.infer<typeof saveAnswersInput>;

export const submitAssessmentInput = z.object({ id: uuid, answers: answers.optional() });
export type SubmitAssessmentInput = z.infer<typeof submitAssessmentInput>;

export const listAssessmentsInput = pageInput.extend({
  patientId: uuid.optional(),
  questionnaireKey: questionKey.optional(),
  status: z.enum(assessmentStatuses).optional(),
  severity: questionKey.optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
});
export type ListAssessmentsInput = z.infer<typeof listAssessmentsInput>;

export const trendInput = z.object({ patientId: uuid, questionnaireKey: questionKey });
export type TrendInput = z.infer<typeof trendInput>;

export const listAlertsInput = pageInput.extend({ patientId: uuid.optional(), acknowledged: z.boolean().default(false) });
export type ListAlertsInput = z.infer<typeof listAlertsInput>;
