import {
  activityReportInput,
  ageingReportInput,
  ageingReportOutput,
  activityReportOutput,
  appointmentsReportInput,
  appointmentsReportOutput,
  assessmentsReportInput,
  assessmentsReportOutput,
  deliveriesReportInput,
  deliveriesReportOutput,
  remindersReportInput,
  remindersReportOutput,
  revenueReportInput,
  revenueReportOutput,
  sosReportInput,
  sosReportOutput,
  taxReportInput,
  taxReportOutput,
} from '../../../shared/schemas/reports.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { activityReport } from './activity-report.ts';
import { ageingReport } from './ageing-report.ts';
import { appointmentsReport } from './appointments-report.ts';
import { assessmentsReport } from './assessments-report.ts';
import { deliveriesReport } from './deliveries-report.ts';
import { remindersReport } from './reminders-report.ts';
import { revenueReport } from './revenue-report.ts';
import { sosReport } from './sos-report.ts';
import { taxReport } from './tax-report.ts';

/** Practice reports for admins: aggregated in PostgreSQL, never row by row in Node. */
export const reportsRouter = router({
  assessments: adminProcedure
    .input(assessmentsReportInput)
    .output(assessmentsReportOutput)
    .query(({ ctx, input }) => assessmentsReport(ctx, input)),
  appointments: adminProcedure
    .input(appointmentsReportInput)
    .output(appointmentsReportOutput)
    .query(({ ctx, input }) => appointmentsReport(ctx, input)),
  activity: adminProcedure
    .input(activityReportInput)
    .output(activityReportOutput)
    .query(({ ctx, input }) => activityReport(ctx, input)),
  reminders: adminProcedure
    .input(remindersReportInput)
    .output(remindersReportOutput)
    .query(({ ctx, input }) => remindersReport(ctx, input)),
  deliveries: adminProcedure
    .input(deliveriesReportInput)
    .output(deliveriesReportOutput)
    .query(({ ctx, input }) => deliveriesReport(ctx, input)),
  sos: adminProcedure
    .input(sosReportInput)
    .output(sosReportOutput)
    .query(({ ctx, input }) => sosReport(ctx, input)),
  revenue: adminProcedure
    .input(revenueReportInput)
    .output(revenueReportOutput)
    .query(({ ctx, input }) => revenueReport(ctx, input)),
  ageing: adminProcedure
    .input(ageingReportInput)
    .output(ageingReportOutput)
    .query(({ ctx, input }) => ageingReport(ctx, input)),
  tax: adminProcedure
    .input(taxReportInput)
    .output(taxReportOutput)
    .query(({ ctx, input }) => taxReport(ctx, input)),
});
