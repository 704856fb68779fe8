import { idInput } from '../../../shared/schemas/common.ts';
import {
  abandonAssessmentInput,
  alertOutput,
  alertPageOutput,
  assessmentDetailOutput,
  assessmentOutput,
  assessmentPageOutput,
  listAlertsInput,
  listAssessmentsInput,
  saveAnswersInput,
  startAssessmentInput,
  submitAssessmentInput,
  trendInput,
  trendOutput,
} from '../../../shared/schemas/assessments.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { acknowledgeAlert, listAlerts } from './alerts.service.ts';
import { abandonAssessment, amendAssessment, getAssessment, listAssessments, saveAnswers, scoreTrend, startAssessment, submitAssessment } from './assessments.service.ts';

export const assessmentsRouter = router({
  start: clinicianProcedure
    .meta({ phi: true })
    .input(startAssessmentInput)
    .output(assessmentOutput)
    .mutation(({ ctx, input }) => startAssessment(ctx, input)),
  saveAnswers: authedProcedure
    .meta({ phi: true })
    .input(saveAnswersInput)
    .output(assessmentOutput)
    .mutation(({ ctx, input }) => saveAnswers(ctx, input)),
  submit: authedProcedure
    .meta({ phi: true })
    .input(submitAssessmentInput)
    .output(assessmentOutput)
    .mutation(({ ctx, input }) => submitAssessment(ctx, input)),
  /** Staff, or the patient it was assigned to: an assessment started by mistake, with the reason. */
  abandon: authedProcedure
    .meta({ phi: true })
    .input(abandonAssessmentInput)
    .output(assessmentOutput)
    .mutation(({ ctx, input }) => abandonAssessment(ctx, input)),
  amend: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(assessmentOutput)
    .mutation(({ ctx, input }) => amendAssessment(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(assessmentDetailOutput)
    .query(({ ctx, input }) => getAssessment(ctx, input)),
  list: authedProcedure
    .meta({ phi: true })
    .input(listAssessmentsInput)
    .output(assessmentPageOutput)
    .query(({ ctx, input }) => listAssessments(ctx, input)),
  trend: authedProcedure
    .meta({ phi: true })
    .input(trendInput)
    .output(trendOutput)
    .query(({ ctx, input }) => scoreTrend(ctx, input)),
});

export const alertsRouter = router({
  list: clinicianProcedure
    .meta({ phi: true })
    .input(listAlertsInput)
    .output(alertPageOutput)
    .query(({ ctx, input }) => listAlerts(ctx, input)),
  acknowledge: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(alertOutput)
    .mutation(({ ctx, input }) => acknowledgeAlert(ctx, input)),
});
