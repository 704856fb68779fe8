import { idInput } from '../../../shared/schemas/common.ts';
import { listAlertsInput, listAssessmentsInput, saveAnswersInput, startAssessmentInput, submitAssessmentInput, trendInput } from '../../../shared/schemas/assessments.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { acknowledgeAlert, listAlerts } from './alerts.service.ts';
import { amendAssessment, getAssessment, listAssessments, saveAnswers, scoreTrend, startAssessment, submitAssessment } from './assessments.service.ts';

export const assessmentsRouter = router({
  start: clinicianProcedure.input(startAssessmentInput).mutation(({ ctx, input }) => startAssessment(ctx, input)),
  saveAnswers: authedProcedure.input(saveAnswersInput).mutation(({ ctx, input }) => saveAnswers(ctx, input)),
  submit: authedProcedure.input(submitAssessmentInput).mutation(({ ctx, input }) => submitAssessment(ctx, input)),
  amend: clinicianProcedure.input(idInput).mutation(({ ctx, input }) => amendAssessment(ctx, input)),
  byId: authedProcedure.input(idInput).query(({ ctx, input }) => getAssessment(ctx, input)),
  list: authedProcedure.input(listAssessmentsInput).query(({ ctx, input }) => listAssessments(ctx, input)),
  trend: authedProcedure.input(trendInput).query(({ ctx, input }) => scoreTrend(ctx, input)),
});

export const alertsRouter = router({
  list: clinicianProcedure.input(listAlertsInput).query(({ ctx, input }) => listAlerts(ctx, input)),
  acknowledge: clinicianProcedure.input(idInput).mutation(({ ctx, input }) => acknowledgeAlert(ctx, input)),
});
