import { z } from 'zod';
import { isoDateTime, uuid } from './common.ts';
import { questionKey } from './questionnaires.ts';

const MAX_DAYS = 3 * 366;

/**
 * What is wrong with the period [from, to), if anything: `to` must be after `from`, at most about three
 * years later. The schema checks it when both ends are given; the service checks the period it resolves
 * (an end left out is the request's now, or 30 days before `to`), so `from` alone cannot skip the limit.
 */
export function periodIssue(from: string, to: string): 'backwards' | 'too-long' | null {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return ms <= 0 ? 'backwards' : ms > MAX_DAYS * 86_400_000 ? 'too-long' : null;
}
export const periodMessages = { backwards: 'must be after from', 'too-long': `the period may be at most ${MAX_DAYS} days` } as const;

/** A report's period [from, to); by default the 30 days up to now. At most about three years. */
const period = { from: isoDateTime.optional(), to: isoDateTime.optional() };
const checkPeriod = (r: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  const issue = r.from && r.to ? periodIssue(r.from, r.to) : null;
  if (issue) ctx.addIssue({ code: 'custom', path: ['to'], message: periodMessages[issue] });
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
