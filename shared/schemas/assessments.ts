import { z } from 'zod';
import { boundedRecord, instantOutput, isoDateTime, pageInput, pageOutput, text, uuid } from './common.ts';
import { answerValue, answerValueOutput, questionKey, questionnaireDefinitionOutput } from './questionnaires.ts';

/** `abandoned`: started by mistake and given up, with a reason; kept, but out of lists, trends, reports and exports. */
export const assessmentStatuses = ['assigned', 'in-progress', 'submitted', 'abandoned'] as const;
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

/** An assessment not yet submitted is given up: why, in a few words ("started the wrong questionnaire"). */
export const abandonAssessmentInput = z.object({ id: uuid, reason: text().trim().min(1, 'is required').max(500) });
export type AbandonAssessmentInput = z.infer<typeof abandonAssessmentInput>;

/** Abandoned assessments are left out unless `includeAbandoned`, or `status: 'abandoned'` asks for them alone. */
export const listAssessmentsInput = pageInput.extend({
  patientId: uuid.optional(),
  questionnaireKey: questionKey.optional(),
  status: z.enum(assessmentStatuses).optional(),
  includeAbandoned: z.boolean().default(false),
  severity: questionKey.optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
});
export type ListAssessmentsInput = z.infer<typeof listAssessmentsInput>;

export const trendInput = z.object({ patientId: uuid, questionnaireKey: questionKey });
export type TrendInput = z.infer<typeof trendInput>;

export const listAlertsInput = pageInput.extend({ patientId: uuid.optional(), acknowledged: z.boolean().default(false) });
export type ListAlertsInput = z.infer<typeof listAlertsInput>;

/* Outputs */
/** The scoring band the total falls in. */
const severityOutput = z.object({ code: z.string(), label: z.string() });

export const assessmentOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  questionnaireKey: z.string(),
  questionnaireVersion: z.number(),
  status: z.enum(assessmentStatuses),
  assignedToPatient: z.boolean(),
  answers: z.record(z.string(), answerValueOutput).describe('Answers by item id'),
  total: z.number().nullable().describe('Null until submitted'),
  subscales: z.record(z.string(), z.number()).nullable().describe('Subscale totals by key; null until submitted'),
  severity: severityOutput.nullable(),
  flags: z.array(z.object({ code: z.string(), label: z.string() })).describe('Scoring flags the answers raised (each also an alert)'),
  amendsId: z.string().nullable().describe('The submitted assessment this one corrects'),
  startedBy: z.string(),
  submittedBy: z.string().nullable(),
  submittedAt: instantOutput.nullable(),
  abandonedBy: z.string().nullable(),
  abandonedAt: instantOutput.nullable(),
  abandonReason: z.string().nullable().describe('Why it was abandoned, as the person who abandoned it wrote'),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type AssessmentOutput = z.infer<typeof assessmentOutput>;
export const assessmentPageOutput = pageOutput(assessmentOutput);

/** One assessment with the definition of its pinned questionnaire version. */
export const assessmentDetailOutput = assessmentOutput.extend({ definition: questionnaireDefinitionOutput });

/** A patient's submitted totals for one questionnaire, oldest first. */
export const trendOutput = z.array(z.object({ assessmentId: z.string(), submittedAt: instantOutput, total: z.number(), severity: severityOutput.nullable() }));

export const alertOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  assessmentId: z.string(),
  code: z.string(),
  label: z.string(),
  createdAt: instantOutput,
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: instantOutput.nullable(),
});
export type AlertOutput = z.infer<typeof alertOutput>;
export const alertPageOutput = pageOutput(alertOutput);
