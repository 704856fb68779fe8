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

/* Billing reports. Every amount is an integer of the practice's currency's minor units, summed exactly in PostgreSQL (bigint). */

/** A sum of money in a report: exact, never rounded, within safe integers (the server refuses to answer otherwise). */
const minorSum = z.number().int().describe("An integer of the currency's minor units (cents for EUR), summed exactly: always a safe integer");
const currencyOutput = {
  currency: z.string().describe('ISO 4217: every amount is an integer of its minor units'),
  currencyDigits: z.number().int().describe("The currency's decimals: 2 for EUR (1250 is 12.50), 0 for JPY"),
};

export const revenueReportBy = ['clinician', 'service'] as const;
/** Revenue per day, week or month of the practice's time zone, optionally split by clinician or service. */
export const revenueReportInput = z
  .object({
    ...period,
    per: z.enum(sosReportPeriods).default('month'),
    by: z.enum(revenueReportBy).optional().describe('Split each period by the clinician of the charge on each line, or by service'),
  })
  .superRefine(checkPeriod);
export type RevenueReportInput = z.infer<typeof revenueReportInput>;

const revenueAmounts = {
  invoices: z.number().int().describe('Invoices issued in the period (of these rows: with a line of this clinician or service)'),
  creditNotes: z.number().int().describe('Credit notes issued in the period (likewise)'),
  net: minorSum.describe("Net of tax: invoices issued less credit notes, in the currency's minor units (a safe integer)"),
  tax: minorSum.describe("Tax, likewise, in the currency's minor units (a safe integer)"),
  gross: minorSum.describe("Net plus tax, in the currency's minor units (a safe integer)"),
};
export const revenueReportOutput = z.object({
  ...periodOutput,
  per: z.enum(sosReportPeriods),
  by: z.enum(revenueReportBy).nullable(),
  timeZone: z.string().describe("The practice's time zone, in which the periods start"),
  ...currencyOutput,
  rows: z.array(
    z.object({
      periodStart: z.string().meta({ format: 'date' }).describe('The first day of the day, week (Monday) or month'),
      clinicianId: z.string().nullable().describe("By clinician: the charge's clinician; null for lines without one (by hand, or a charge naming none)"),
      clinicianName: z.string().nullable(),
      serviceCode: z.string().nullable().describe('By service: the code on the line, as it was when billed'),
      serviceName: z.string().nullable(),
      ...revenueAmounts,
    }),
  ),
  total: z.object(revenueAmounts),
});

/** Receivables on a day, by default today. */
export const ageingReportInput = z.object({ at: isoDateTime.optional().describe('The instant the ages are counted to (default: now)') }).prefault({});
export type AgeingReportInput = z.infer<typeof ageingReportInput>;

const ageingAmounts = {
  invoices: z.number().int().describe('Open invoices (issued or partially paid, with a balance)'),
  current: minorSum.describe("Balance not yet due, in the currency's minor units (a safe integer)"),
  days1To30: minorSum.describe('Balance 1 to 30 days past its due date, in minor units'),
  days31To60: minorSum.describe('31 to 60 days past due, in minor units'),
  days61To90: minorSum.describe('61 to 90 days past due, in minor units'),
  over90: minorSum.describe('More than 90 days past due, in minor units'),
  total: minorSum.describe('The whole balance, in minor units'),
};
export const ageingReportOutput = z.object({
  at: instantOutput,
  timeZone: z.string().describe("The practice's time zone, in which days are counted"),
  ...currencyOutput,
  rows: z.array(
    z.object({
      billToKind: z.enum(['patient', 'guardian', 'organisation']),
      organisationId: z.string().nullable().describe('For organisation: which; null for patients and guardians (one row each)'),
      organisationName: z.string().nullable(),
      ...ageingAmounts,
    }),
  ),
  total: z.object(ageingAmounts),
});

export const taxReportInput = z.object(period).superRefine(checkPeriod);
export type TaxReportInput = z.infer<typeof taxReportInput>;

export const taxReportOutput = z.object({
  ...periodOutput,
  ...currencyOutput,
  rows: z.array(
    z.object({
      rateName: z.string().nullable().describe("The tax rate's name on the lines; null: exempt supplies"),
      component: z.string().nullable().describe('The component (CGST, SGST; a rate without a split is its own one component); null for exempt'),
      ratePpm: z.number().int().nullable().describe("The component's rate in parts per million (90000 is 9%); null for exempt"),
      taxable: minorSum.describe("The net the component was charged on, less credit notes, in the currency's minor units (a safe integer)"),
      tax: minorSum.describe("The component's tax, less credit notes, in minor units (a safe integer)"),
    }),
  ),
  total: z.object({
    taxable: minorSum.describe('The net of every line (taxed and exempt), each counted once, less credit notes, in minor units'),
    tax: minorSum.describe('All tax, less credit notes, in minor units'),
  }),
});
