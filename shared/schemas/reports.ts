import { z } from 'zod';
import { isoDateTime, uuid } from './common.ts';
import { questionKey } from './questionnaires.ts';

const MAX_DAYS = 3 * 366;

/** A report's period [from, to); by default the 30 days up to now. At most about three years. */
const period = { from: isoDateTime.optional(), to: isoDateTime.optional() };
const checkPeriod = (r: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (!r.from || !r.to) return;
  const ms = new Date(r.to).getTime() - new Date(r.from).getTime();
  if (ms <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (ms > MAX_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the period may be at most ${MAX_DAYS} days` });
};
export type ReportPeriodInput = { from?: string; to?: string };

export const assessmentsReportInput = z.object({ ...period, questionnaireKey: questionKey.optional(), clinicianId: uuid.optional() }).superRefine(checkPeriod);
export type AssessmentsReportInput = z.infer<typeof assessmentsReportInput>;

export const appointmentsReportInput = z.object({ ...period, clinicianId: uuid.optional() }).superRefine(checkPeriod);
export type AppointmentsReportInput = z.infer<typeof appointmentsReportInput>;

export const activityReportInput = z.object(period).superRefine(checkPeriod);
export type ActivityReportInput = z.infer<typeof activityReportInput>;

export const remindersReportInput = z.object({ ...period, clinicianId: uuid.optional() }).superRefine(checkPeriod);
export type RemindersReportInput = z.infer<typeof remindersReportInput>;
