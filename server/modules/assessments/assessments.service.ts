import { LockMode } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { z } from 'zod';
import type {
  AbandonAssessmentInput,
  AssessmentOutput,
  assessmentDetailOutput,
  ListAssessmentsInput,
  SaveAnswersInput,
  StartAssessmentInput,
  SubmitAssessmentInput,
  TrendInput,
  trendOutput,
} from '../../../shared/schemas/assessments.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, newestFirst, period, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { publishNotifications } from '../notifications/publish-notifications.ts';
import { findVisiblePatient, findWritablePatient, visiblePatients } from '../patients/patient-access.ts';
import { findQuestionnaireVersion } from '../questionnaires/questionnaires.service.ts';
import { Alert } from './alert.entity.ts';
import { Assessment } from './assessment.entity.ts';
import { answerErrors, scoreAnswers, type Answers } from './scoring.ts';

const sort = newestFirst('createdAt');

/** The band a submitted score fell in; the label stored with it (the code, were it ever missing). */
const severityOf = (a: Pick<Assessment, 'severity' | 'severityLabel'>) => (a.severity ? { code: a.severity, label: a.severityLabel ?? a.severity } : null);

function toAssessmentDto(a: Assessment): AssessmentOutput {
  return {
    id: a.id,
    patientId: a.patient.id,
    questionnaireKey: a.questionnaire.key,
    questionnaireVersion: a.questionnaireVersion.version,
    status: a.status,
    assignedToPatient: a.assignedToPatient,
    answers: a.answers,
    total: a.total ?? null,
    subscales: a.subscales ?? null,
    severity: severityOf(a),
    flags: a.flags ?? [],
    amendsId: a.amends?.id ?? null,
    startedBy: a.startedBy,
    submittedBy: a.submittedBy ?? null,
    submittedAt: a.submittedAt?.toISOString() ?? null,
    abandonedBy: a.abandonedBy ?? null,
    abandonedAt: a.abandonedAt?.toISOString() ?? null,
    abandonReason: a.abandonReason ?? null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** Staff see the assessments of the patients they may see; a patient only those assigned to them. */
const visibleAssessments = (ctx: AuthedCtx) => ({ patient: visiblePatients(ctx.actor), ...(ctx.actor.role === 'patient' && { assignedToPatient: true }) });

const audit = (ctx: AuthedCtx, action: string, a: Assessment) => recordAudit(ctx, { action: `assessment.${action}`, entityType: 'assessment', entityId: a.id, detail: { patientId: a.patient.id } });

/** A clinician starts one (the questionnaire version is pinned), or assigns it to the patient's portal. */
export async function startAssessment(ctx: AuthedCtx, input: StartAssessmentInput) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, input.patientId);
  const version = await findQuestionnaireVersion(ctx, { key: input.questionnaireKey, version: input.version });
  const assessment = ctx.em.create(Assessment, {
    practice: ctx.actor.practiceId,
    patient,
    questionnaire: version.questionnaire,
    questionnaireVersion: version,
    status: input.assignToPatient ? 'assigned' : 'in-progress',
    assignedToPatient: input.assignToPatient,
    answers: {},
    startedBy: ctx.actor.userId,
  });
  audit(ctx, input.assignToPatient ? 'assigned' : 'started', assessment);
  await ctx.em.flush();
  return toAssessmentDto(assessment);
}

/** Staff may work on any visible assessment; a patient only on one assigned to them (or a dependent). */
async function findWorkableAssessment(ctx: AuthedCtx, id: string, lock = false) {
  const assessment = await ctx.em.findOne(
    Assessment,
    { id, ...visibleAssessments(ctx) },
    { populate: ['questionnaire', 'questionnaireVersion'], ...(lock && { lockMode: LockMode.PESSIMISTIC_WRITE }) },
  );
  if (!assessment) throw notFound('Assessment');
  if (assessment.status === 'submitted') throw new AppError('CONFLICT', 'A submitted assessment cannot change: amend it instead', 'assessment-submitted');
  if (assessment.status === 'abandoned') throw new AppError('CONFLICT', 'This assessment was abandoned: start a new one', 'assessment-abandoned');
  return assessment;
}

function assertAnswers(definition: Assessment['questionnaireVersion']['definition'], answers: Answers, complete: boolean) {
  const errors = answerErrors(definition, answers, complete);
  if (Object.keys(errors).length) {
    const fieldErrors = Object.fromEntries(Object.entries(errors).map(([item, messages]) => [`answers.${item}`, messages]));
    throw new AppError('BAD_REQUEST', complete ? 'The assessment is not complete or has invalid answers' : 'Some answers are not valid', null, fieldErrors);
  }
}

/** Partial saves: each answer is checked, required items may still be missing. */
export async function saveAnswers(ctx: AuthedCtx, { id, answers }: SaveAnswersInput) {
  const assessment = await findWorkableAssessment(ctx, id);
  const merged = { ...assessment.answers, ...answers };
  assertAnswers(assessment.questionnaireVersion.definition, merged, false);
  Object.assign(assessment, { answers: merged, status: 'in-progress' });
  audit(ctx, 'answers-saved', assessment);
  await ctx.em.flush();
  return toAssessmentDto(assessment);
}

/**
 * Checks completeness, scores (total, subscales, severity, flags) and raises an alert per flag, all in
 * the submitting transaction; the row lock makes a concurrent second submit wait, then see it submitted.
 */
export async function submitAssessment(ctx: AuthedCtx, { id, answers }: SubmitAssessmentInput) {
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const assessment = await findWorkableAssessment(tx, id, true);
    const final = { ...assessment.answers, ...answers };
    const definition = assessment.questionnaireVersion.definition;
    assertAnswers(definition, final, true);
    const score = scoreAnswers(definition, final);
    Object.assign(assessment, {
      answers: final,
      status: 'submitted',
      total: score.total,
      subscales: score.subscales,
      severity: score.severity?.code ?? null,
      severityLabel: score.severity?.label ?? null,
      flags: score.flags,
      submittedBy: ctx.actor.userId,
      submittedAt: new Date(),
    });
    for (const flag of score.flags) {
      const alert = em.create(Alert, { practice: ctx.actor.practiceId, patient: assessment.patient, assessment, code: flag.code, label: flag.label });
      await publishNotifications(em, {
        kind: 'alert.raised',
        practiceId: ctx.actor.practiceId,
        patientId: assessment.patient.id,
        subject: { type: 'alert', id: alert.id },
        data: { alertId: alert.id, assessmentId: assessment.id },
        to: { careTeam: true },
        by: ctx.actor.userId,
      });
    }
    audit(tx, 'submitted', assessment);
    return toAssessmentDto(assessment);
  });
}

/**
 * An assessment started by mistake is given up, by staff or by the patient it was assigned to (or their
 * guardian): kept, with who, when and why, but left out of lists by default, and never scored, trended,
 * reported or exported. Only one not yet submitted: a submitted one is corrected by an amendment. The
 * row lock makes a submit racing the abandon wait, then see it abandoned (or the abandon see it submitted).
 */
export async function abandonAssessment(ctx: AuthedCtx, { id, reason }: AbandonAssessmentInput) {
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const assessment = await findWorkableAssessment(tx, id, true);
    Object.assign(assessment, { status: 'abandoned', abandonedBy: ctx.actor.userId, abandonedAt: new Date(), abandonReason: reason });
    audit(tx, 'abandoned', assessment);
    return toAssessmentDto(assessment);
  });
}

/** A correction of a submitted assessment: a new one on the same version, with the answers copied. */
export async function amendAssessment(ctx: AuthedCtx, { id }: IdInput) {
  const original = await ctx.em.findOne(Assessment, { id, patient: visiblePatients(ctx.actor) }, { populate: ['questionnaire', 'questionnaireVersion'] });
  if (!original) throw notFound('Assessment');
  if (original.status !== 'submitted') throw new AppError('CONFLICT', 'Only a submitted assessment can be amended', 'assessment-not-submitted');
  const amendment = ctx.em.create(Assessment, {
    practice: ctx.actor.practiceId,
    patient: original.patient,
    questionnaire: original.questionnaire,
    questionnaireVersion: original.questionnaireVersion,
    status: 'in-progress',
    answers: { ...original.answers },
    amends: original,
    startedBy: ctx.actor.userId,
  });
  audit(ctx, 'amended', amendment);
  await ctx.em.flush();
  return toAssessmentDto(amendment);
}

export async function getAssessment(ctx: AuthedCtx, { id }: IdInput): Promise<z.infer<typeof assessmentDetailOutput>> {
  const assessment = await ctx.em.findOne(Assessment, { id, ...visibleAssessments(ctx) }, { populate: ['questionnaire', 'questionnaireVersion'] });
  if (!assessment) throw notFound('Assessment');
  audit(ctx, 'read', assessment);
  await ctx.em.flush();
  return { ...toAssessmentDto(assessment), definition: assessment.questionnaireVersion.definition };
}

export async function listAssessments(ctx: AuthedCtx, input: ListAssessmentsInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(
    Assessment,
    {
      $and: [where, visibleAssessments(ctx)],
      ...(input.patientId && { patient: input.patientId }),
      ...(input.questionnaireKey && { questionnaire: { key: input.questionnaireKey } }),
      ...(input.status ? { status: input.status } : !input.includeAbandoned && { status: { $ne: 'abandoned' as const } }),
      ...(input.severity && { severity: input.severity }),
      createdAt: period(input.from, input.to),
    },
    { populate: ['questionnaire', 'questionnaireVersion'], orderBy, limit: input.limit + 1 },
  );
  const page = toPage(rows, input.limit, sort, toAssessmentDto);
  await auditRead(ctx, { action: 'assessment.listed', entityType: 'assessment', detail: { results: page.items.length, patientId: input.patientId ?? null } });
  return page;
}

/**
 * A patient's submitted totals for one questionnaire, oldest first: the score over time. An assessment
 * corrected by a submitted amendment is left out; the amendment stands in its place.
 */
export async function scoreTrend(ctx: AuthedCtx, { patientId, questionnaireKey }: TrendInput): Promise<z.infer<typeof trendOutput>> {
  await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const submitted = { patient: patientId, questionnaire: { key: questionnaireKey }, status: 'submitted' as const };
  const amended = await ctx.em.find(Assessment, { ...submitted, amends: { $ne: null } }, { fields: ['amends'] });
  const rows = await ctx.em.find(
    Assessment,
    { $and: [submitted, visibleAssessments(ctx)], id: { $nin: amended.map((a) => a.amends!.id) } },
    { orderBy: { submittedAt: 'asc', id: 'asc' }, fields: ['id', 'total', 'severity', 'severityLabel', 'submittedAt'] },
  );
  await auditRead(ctx, { action: 'assessment.trend-read', entityType: 'patient', entityId: patientId, detail: { questionnaireKey } });
  return rows.map((a) => ({ assessmentId: a.id, submittedAt: a.submittedAt!.toISOString(), total: a.total!, severity: severityOf(a) }));
}
