import { idInput } from '../../../shared/schemas/common.ts';
import { listAlertsInput, listAssessmentsInput, saveAnswersInput, startAssessmentInput, submitAssessmentInput, trendInput } from '../../../shared/schemas/assessments.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { acknowledgeAlert, listAlerts } from './alerts.service.ts';
import { amendAssessment, getAssessment, listAssessments, saveAnswers, scoreTrend, startAssessment, submitAssessment } from './assessments.service.ts';

export const assessmentsRouter = router({
  start: clinicianProcedure
    .meta({ openapi: true, phi: true })
    .input(startAssessmentInput)
    .mutation(({ ctx, input }) => startAssessment(ctx, input)),
  saveAnswers: authedProcedure
    .meta({ openapi: true, phi: true })
    .input(saveAnswersInput)
    .mutation(({ ctx, input }) => saveAnswers(ctx, input)),
  submit: authedProcedure
    .meta({ openapi: true, phi: true })
    .input(submitAssessmentInput)
    .mutation(({ ctx, input }) => submitAssessment(ctx, input)),
  amend: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .mutation(({ ctx, input }) => amendAssessment(ctx, input)),
  byId: authedProcedure
    .meta({ openapi: true, phi: true })
    .input(idInput)
    .query(({ ctx, input }) => getAssessment(ctx, input)),
  list: authedProcedure
    .meta({ openapi: true, phi: true })
    .input(listAssessmentsInput)
    .query(({ ctx, input }) => listAssessments(ctx, input)),
  trend: authedProcedure
    .meta({ phi: true })
    .input(trendInput)
    .query(({ ctx, input }) => scoreTrend(ctx, input)),
});

export const alertsRouter = router({
  list: clinicianProcedure
    .meta({ phi: true })
    .input(listAlertsInput)
    .query(({ ctx, input }) => listAlerts(ctx, input)),
  acknowledge: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .mutation(({ ctx, input }) => acknowledgeAlert(ctx, input)),
});
