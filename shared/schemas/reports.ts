import { z } from 'zod';
import { instantOutput, isoDateTime, uuid } from './common.ts';
import { questionKey } from './questionnaires.ts';
import { deliveryRequestStatuses } from './deliveries.ts';
import { sosOutcomes } from './sos.ts';
import { cadences } from './steps.ts';

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

export const deliveriesReportInput = z.object(period).superRefine(checkPeriod);
export type DeliveriesReportInput = z.infer<typeof deliveriesReportInput>;

/** The period the report covers, [from, to), with the defaults filled in. */
const periodOutput = { from: instantOutput, to: instantOutput };
const clinicianId = z.string().nullable();
const percent = z.number().nullable();

export const assessmentsReportOutput = z.object({
  ...periodOutput,
  rows: z.array(
    z.object({
      questionnaireKey: z.string(),
      questionnaireTitle: z.string(),
      clinicianId: clinicianId.describe('Who started the assessments; null in the row across all clinicians'),
      clinicianName: z.string().nullable(),
      count: z.number(),
      meanTotal: z.number().nullable().describe('Null when none was scored'),
      severity: z.record(z.string(), z.number()).describe('The number in each severity band; `none` for those without one'),
    }),
  ),
});

const appointmentsReportRow = z.object({
  clinicianId: clinicianId.describe('Null in the total'),
  clinicianName: z.string().nullable(),
  booked: z.number().describe('Every appointment starting in the period, whatever became of it'),
  open: z.number().describe('Booked or arrived'),
  completed: z.number(),
  cancelled: z.number(),
  noShow: z.number(),
  bookedMinutes: z.number().describe('Minutes of the appointments not cancelled'),
  availableMinutes: z.number().describe('Minutes of weekly hours in the period, less time off'),
  utilisation: percent.describe('Percent of available minutes booked; null without hours; above 100 when visits were booked outside hours'),
});
export const appointmentsReportOutput = z.object({ ...periodOutput, rows: z.array(appointmentsReportRow), total: appointmentsReportRow });

export const activityReportOutput = z.object({
  ...periodOutput,
  rows: z.array(
    z.object({
      clinicianId: z.string(),
      clinicianName: z.string().nullable(),
      notes: z.number().describe('Notes they wrote'),
      assessments: z.number().describe('Assessments they started that were submitted in the period'),
      patientsSeen: z.number().describe('Distinct patients with an appointment that was arrived or completed'),
      appointmentsCompleted: z.number(),
    }),
  ),
});
/** The activity report's counts, one per column. */
export type ActivityMetric = Exclude<keyof z.infer<typeof activityReportOutput>['rows'][number], 'clinicianId' | 'clinicianName'>;

const remindersReportRow = z.object({
  clinicianId: clinicianId.describe("The author of the plan item's note; null in the rows across clinicians and in the total"),
  clinicianName: z.string().nullable(),
  cadence: z.enum(cadences).nullable().describe('Null in the total'),
  remindersSent: z.number(),
  inAppSent: z.number(),
  emailSent: z.number(),
  emailPending: z.number().describe('Emails waiting for their (next) attempt: failed sends are retried, never dropped'),
  emailSkipped: z.number().describe('No email address on file: the in-app reminder only'),
  emailCancelled: z.number().describe('The plan item ended before the email went out'),
  itemsReminded: z.number(),
  itemsCheckedIn: z.number().describe('Of the items reminded, those checked in by the end of the period'),
  checkInRate: percent.describe('Percent of the items reminded that were checked in; null when none was reminded'),
  medianMinutesToCheckIn: z.number().nullable().describe("Median time from an item's first reminder to its check-in; null without check-ins"),
});
export const remindersReportOutput = z.object({ ...periodOutput, rows: z.array(remindersReportRow), total: remindersReportRow });

export const deliveriesReportOutput = z.object({
  ...periodOutput,
  requests: z.number().describe('Delivery requests made in the period'),
  rows: z.array(
    z.object({
      status: z.enum(deliveryRequestStatuses).describe('Where the requests stood at the end of the period'),
      count: z.number(),
      medianHours: z.number().nullable().describe('Median hours from the request to reaching this status (for delivered: the time to delivery); null for requested, or when none'),
      p90Hours: z.number().nullable().describe('90th percentile of the same hours'),
    }),
  ),
});

/** SOS requests per day, week or month (in the practice's time zone) of the period. */
export const sosReportPeriods = ['day', 'week', 'month'] as const;
export const sosReportInput = z.object({ ...period, per: z.enum(sosReportPeriods).default('week') }).superRefine(checkPeriod);
export type SosReportInput = z.infer<typeof sosReportInput>;

const sosReportRow = z.object({
  raised: z.number().describe('SOS requests raised'),
  open: z.number().describe('Of those, still open now'),
  acknowledged: z.number().describe('Of those, acknowledged and not yet resolved now'),
  resolved: z.number().describe('Of those, resolved now'),
  escalated: z.number().describe('Of those, escalated at least once for want of an acknowledgement'),
  outcomes: z.object(Object.fromEntries(sosOutcomes.map((o) => [o, z.number()])) as Record<(typeof sosOutcomes)[number], z.ZodNumber>).describe('Resolved requests by outcome'),
  acknowledgeMedianMinutes: z.number().nullable().describe('Median minutes from raising to acknowledgement; null when none'),
  acknowledgeP90Minutes: z.number().nullable().describe('90th percentile of the same minutes'),
  resolveMedianMinutes: z.number().nullable().describe('Median minutes from raising to resolution; null when none'),
  resolveP90Minutes: z.number().nullable().describe('90th percentile of the same minutes'),
});
export const sosReportOutput = z.object({
  ...periodOutput,
  per: z.enum(sosReportPeriods),
  timeZone: z.string().describe("The practice's time zone, in which the periods start"),
  rows: z.array(sosReportRow.extend({ periodStart: z.string().meta({ format: 'date' }).describe('The first day of the day, week (Monday) or month') })),
  total: sosReportRow,
});
