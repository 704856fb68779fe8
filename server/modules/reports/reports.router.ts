import { activityReportInput, appointmentsReportInput, assessmentsReportInput, remindersReportInput } from '../../../shared/schemas/reports.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { activityReport } from './activity-report.ts';
import { appointmentsReport } from './appointments-report.ts';
import { assessmentsReport } from './assessments-report.ts';
import { remindersReport } from './reminders-report.ts';

/** Practice reports for admins: aggregated in PostgreSQL, never row by row in Node. */
export const reportsRouter = router({
  assessments: adminProcedure
    .meta({ openapi: true })
    .input(assessmentsReportInput)
    .query(({ ctx, input }) => assessmentsReport(ctx, input)),
  appointments: adminProcedure
    .meta({ openapi: true })
    .input(appointmentsReportInput)
    .query(({ ctx, input }) => appointmentsReport(ctx, input)),
  activity: adminProcedure
    .meta({ openapi: true })
    .input(activityReportInput)
    .query(({ ctx, input }) => activityReport(ctx, input)),
  reminders: adminProcedure
    .meta({ openapi: true })
    .input(remindersReportInput)
    .query(({ ctx, input }) => remindersReport(ctx, input)),
});
