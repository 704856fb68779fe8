import type { Command } from 'commander';
import { DateTime } from 'luxon';
import type { PamsClient, RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { instantOption } from '../instant-option.ts';
import { formatAmount, formatPercent } from '../money.ts';
import type { Column } from '../output.ts';
import { printReport } from '../report-output.ts';

type PeriodOptions = { from?: string; to?: string; csv?: boolean };

const period = (opts: PeriodOptions) => ({ from: instantOption('--from', opts.from), to: instantOption('--to', opts.to) });

function reportCommand(name: string, description: string) {
  return createCommand(name)
    .description(description)
    .option('--from <date>', 'start of the period, a date or ISO 8601 instant (default: 30 days before --to)')
    .option('--to <date>', 'end of the period, exclusive (default: now)')
    .option('--csv', 'print CSV for spreadsheets');
}

type AssessmentRow = RouterOutputs['reports']['assessments']['rows'][number];
const assessments = reportCommand('assessments', 'submitted assessments by questionnaire and clinician: count, mean total, severity bands')
  .option('--questionnaire <key>', 'only this questionnaire')
  .option('--clinician <user-id>', 'only assessments this clinician started')
  .action(async (opts: PeriodOptions & { questionnaire?: string; clinician?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.assessments.query({ ...period(opts), questionnaireKey: opts.questionnaire, clinicianId: opts.clinician });
    const bands = [...new Set(report.rows.flatMap((r) => Object.keys(r.severity)))].sort();
    const columns: Column<AssessmentRow>[] = [
      { header: 'questionnaire', value: (r) => r.questionnaireKey },
      { header: 'clinician', value: (r) => (r.clinicianId ? (r.clinicianName ?? r.clinicianId) : 'all') },
      { header: 'count', value: (r) => r.count },
      { header: 'mean total', value: (r) => r.meanTotal },
      ...bands.map((band): Column<AssessmentRow> => ({ header: band, value: (r) => r.severity[band] ?? 0 })),
    ];
    printReport(report.rows, columns, { json, csv: opts.csv }, report);
  });

type AppointmentRow = RouterOutputs['reports']['appointments']['total'];
const appointments = reportCommand('appointments', 'appointments per clinician: booked, completed, cancelled, no-show, utilisation of hours')
  .option('--clinician <user-id>', 'only this clinician')
  .action(async (opts: PeriodOptions & { clinician?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.appointments.query({ ...period(opts), clinicianId: opts.clinician });
    const columns: Column<AppointmentRow>[] = [
      { header: 'clinician', value: (r) => (r.clinicianId ? (r.clinicianName ?? r.clinicianId) : 'all') },
      { header: 'booked', value: (r) => r.booked },
      { header: 'open', value: (r) => r.open },
      { header: 'completed', value: (r) => r.completed },
      { header: 'cancelled', value: (r) => r.cancelled },
      { header: 'no-show', value: (r) => r.noShow },
      { header: 'booked min', value: (r) => r.bookedMinutes },
      { header: 'available min', value: (r) => r.availableMinutes },
      { header: 'utilisation %', value: (r) => r.utilisation },
    ];
    printReport([...report.rows, report.total], columns, { json, csv: opts.csv }, report);
  });

type ActivityRow = RouterOutputs['reports']['activity']['rows'][number];
const activity = reportCommand('activity', 'per clinician: notes written, assessments submitted, patients seen, appointments completed').action(async (opts: PeriodOptions, cmd: Command) => {
  const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
  const report = await api.reports.activity.query(period(opts));
  const columns: Column<ActivityRow>[] = [
    { header: 'clinician', value: (r) => r.clinicianName ?? r.clinicianId },
    { header: 'notes', value: (r) => r.notes },
    { header: 'assessments', value: (r) => r.assessments },
    { header: 'patients seen', value: (r) => r.patientsSeen },
    { header: 'appointments completed', value: (r) => r.appointmentsCompleted },
  ];
  printReport(report.rows, columns, { json, csv: opts.csv }, report);
});

type ReminderRow = RouterOutputs['reports']['reminders']['total'];
const reminders = reportCommand('reminders', 'plan item reminders by clinician and cadence: sent by channel and outcome, check-in rate, median time to check-in')
  .option('--clinician <user-id>', "only plan items from this clinician's notes")
  .action(async (opts: PeriodOptions & { clinician?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.reminders.query({ ...period(opts), clinicianId: opts.clinician });
    const columns: Column<ReminderRow>[] = [
      { header: 'clinician', value: (r) => (r.clinicianId ? (r.clinicianName ?? r.clinicianId) : 'all') },
      { header: 'cadence', value: (r) => r.cadence ?? 'all' },
      { header: 'sent', value: (r) => r.remindersSent },
      { header: 'in-app', value: (r) => r.inAppSent },
      { header: 'email sent', value: (r) => r.emailSent },
      { header: 'email pending', value: (r) => r.emailPending },
      { header: 'email skipped', value: (r) => r.emailSkipped },
      { header: 'email cancelled', value: (r) => r.emailCancelled },
      { header: 'items reminded', value: (r) => r.itemsReminded },
      { header: 'checked in', value: (r) => r.itemsCheckedIn },
      { header: 'check-in %', value: (r) => r.checkInRate },
      { header: 'median min to check-in', value: (r) => r.medianMinutesToCheckIn },
    ];
    printReport([...report.rows, report.total], columns, { json, csv: opts.csv }, report);
  });

type DeliveryRow = RouterOutputs['reports']['deliveries']['rows'][number];
const deliveries = reportCommand('deliveries', 'prescription delivery requests made in the period, by status at its end, with median and p90 hours from request').action(
  async (opts: PeriodOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.deliveries.query(period(opts));
    const columns: Column<DeliveryRow>[] = [
      { header: 'status', value: (r) => r.status },
      { header: 'requests', value: (r) => r.count },
      { header: 'median h', value: (r) => r.medianHours },
      { header: 'p90 h', value: (r) => r.p90Hours },
    ];
    printReport(report.rows, columns, { json, csv: opts.csv }, report);
  },
);

type SosRow = RouterOutputs['reports']['sos']['rows'][number];
const sos = reportCommand('sos', 'SOS requests per day, week or month: counts by status and outcome, minutes to acknowledge and to resolve (median, p90)')
  .option('--per <period>', 'day, week or month (default: week)')
  .action(async (opts: PeriodOptions & { per?: 'day' | 'week' | 'month' }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.sos.query({ ...period(opts), per: opts.per });
    const columns: Column<SosRow>[] = [
      { header: 'period', value: (r) => r.periodStart },
      { header: 'raised', value: (r) => r.raised },
      { header: 'open', value: (r) => r.open },
      { header: 'acknowledged', value: (r) => r.acknowledged },
      { header: 'resolved', value: (r) => r.resolved },
      { header: 'escalated', value: (r) => r.escalated },
      { header: 'ack median min', value: (r) => r.acknowledgeMedianMinutes },
      { header: 'ack p90 min', value: (r) => r.acknowledgeP90Minutes },
      { header: 'resolve median min', value: (r) => r.resolveMedianMinutes },
      { header: 'resolve p90 min', value: (r) => r.resolveP90Minutes },
    ];
    printReport(report.rows, columns, { json, csv: opts.csv }, report);
  });

/* Billing reports: a date is midnight in the practice's time zone (a tax period is the practice's month), amounts in the currency's decimals in a table and in minor units in CSV and JSON. */

const MONEY_HELP = "Amounts: in the currency's decimals in the table; integers of minor units (cents) with --csv and --json.";

/** A date (midnight in the practice's time zone) or an ISO 8601 instant, as the instant the API takes. */
async function practiceInstant(api: PamsClient, flag: string, value: string | undefined): Promise<string | undefined> {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return instantOption(flag, value);
  const { timeZone } = await api.practices.current.query();
  const at = DateTime.fromISO(value, { zone: timeZone });
  if (!at.isValid) throw new CliError(`${flag}: not a date: ${value}`);
  return at.toUTC().toISO()!;
}

const practicePeriod = async (api: PamsClient, opts: PeriodOptions) => ({ from: await practiceInstant(api, '--from', opts.from), to: await practiceInstant(api, '--to', opts.to) });

/** Minor units as the table shows them (12.50), or as they are for CSV (1250). */
const money = (digits: number, csv: boolean | undefined) => (minor: number) => (csv ? minor : formatAmount(minor, digits));

function billingReportCommand(name: string, description: string) {
  return createCommand(name)
    .description(description)
    .option('--from <date>', "start of the period, a date (midnight in the practice's time zone) or ISO 8601 instant (default: 30 days before --to)")
    .option('--to <date>', 'end of the period, exclusive (default: now)')
    .option('--csv', 'print CSV for spreadsheets')
    .addHelpText('after', `\n${MONEY_HELP}`);
}

type RevenueReport = RouterOutputs['reports']['revenue'];
type RevenueRow = RevenueReport['rows'][number] | (RevenueReport['total'] & { periodStart?: undefined; clinicianId?: undefined; serviceCode?: undefined });
const revenue = billingReportCommand('revenue', 'invoices issued less credit notes, per day, week or month: net, tax, gross (--by clinician or service)')
  .option('--per <period>', 'day, week or month (default: month)')
  .option('--by <split>', "clinician (the charge's, on each line) or service")
  .action(async (opts: PeriodOptions & { per?: 'day' | 'week' | 'month'; by?: 'clinician' | 'service' }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.revenue.query({ ...(await practicePeriod(api, opts)), per: opts.per, by: opts.by });
    const amount = money(report.currencyDigits, opts.csv);
    const split: Column<RevenueRow>[] =
      report.by === 'clinician'
        ? [{ header: 'clinician', value: (r) => (r.periodStart === undefined ? 'all' : (r.clinicianName ?? r.clinicianId ?? 'none')) }]
        : report.by === 'service'
          ? [{ header: 'service', value: (r) => (r.periodStart === undefined ? 'all' : `${r.serviceCode} ${r.serviceName}`) }]
          : [];
    const columns: Column<RevenueRow>[] = [
      { header: 'period', value: (r) => r.periodStart ?? 'total' },
      ...split,
      { header: 'invoices', value: (r) => r.invoices },
      { header: 'credit notes', value: (r) => r.creditNotes },
      { header: `net ${report.currency}`, value: (r) => amount(r.net) },
      { header: `tax ${report.currency}`, value: (r) => amount(r.tax) },
      { header: `gross ${report.currency}`, value: (r) => amount(r.gross) },
    ];
    printReport<RevenueRow>([...report.rows, report.total], columns, { json, csv: opts.csv }, report);
  });

type AgeingReport = RouterOutputs['reports']['ageing'];
type AgeingRow = AgeingReport['rows'][number] | (AgeingReport['total'] & { billToKind?: undefined; organisationId?: undefined; organisationName?: undefined });
const ageing = createCommand('ageing')
  .description('receivables: the balance of open invoices by days past due (current, 1-30, 31-60, 61-90, 90+), per payer kind and organisation')
  .option('--at <date>', "count the days to this date (midnight in the practice's time zone) or ISO 8601 instant (default: now)")
  .option('--csv', 'print CSV for spreadsheets')
  .addHelpText('after', `\n${MONEY_HELP} Balances are as they stand now.`)
  .action(async (opts: { at?: string; csv?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.ageing.query({ at: await practiceInstant(api, '--at', opts.at) });
    const amount = money(report.currencyDigits, opts.csv);
    const columns: Column<AgeingRow>[] = [
      { header: 'bill to', value: (r) => (r.billToKind === undefined ? 'total' : (r.organisationName ?? r.billToKind)) },
      { header: 'invoices', value: (r) => r.invoices },
      { header: 'current', value: (r) => amount(r.current) },
      { header: '1-30', value: (r) => amount(r.days1To30) },
      { header: '31-60', value: (r) => amount(r.days31To60) },
      { header: '61-90', value: (r) => amount(r.days61To90) },
      { header: '90+', value: (r) => amount(r.over90) },
      { header: `total ${report.currency}`, value: (r) => amount(r.total) },
    ];
    printReport<AgeingRow>([...report.rows, report.total], columns, { json, csv: opts.csv }, report);
  });

type TaxReport = RouterOutputs['reports']['tax'];
type TaxRow = TaxReport['rows'][number] | (TaxReport['total'] & { rateName?: undefined; component?: undefined; ratePpm?: undefined });
const tax = billingReportCommand('tax', 'tax collected per rate and component (CGST and SGST rows of a GST rate), less credit notes, and exempt supplies').action(
  async (opts: PeriodOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const report = await api.reports.tax.query(await practicePeriod(api, opts));
    const amount = money(report.currencyDigits, opts.csv);
    const columns: Column<TaxRow>[] = [
      { header: 'tax rate', value: (r) => (r.rateName === undefined ? 'total' : (r.rateName ?? 'exempt')) },
      { header: 'component', value: (r) => r.component ?? '' },
      opts.csv ? { header: 'rate ppm', value: (r) => r.ratePpm ?? '' } : { header: 'rate', value: (r) => (r.ratePpm == null ? '' : formatPercent(r.ratePpm)) },
      { header: `taxable ${report.currency}`, value: (r) => amount(r.taxable) },
      { header: `tax ${report.currency}`, value: (r) => amount(r.tax) },
    ];
    printReport<TaxRow>([...report.rows, report.total], columns, { json, csv: opts.csv }, report);
  },
);

export const reportCommandGroup = createCommand('report')
  .description("your practice's reports (admin)")
  .addCommand(assessments)
  .addCommand(appointments)
  .addCommand(activity)
  .addCommand(reminders)
  .addCommand(deliveries)
  .addCommand(sos)
  .addCommand(revenue)
  .addCommand(ageing)
  .addCommand(tax);
