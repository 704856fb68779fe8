import type { Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { instantOption } from '../instant-option.ts';
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

export const reportCommandGroup = createCommand('report')
  .description("your practice's reports (admin)")
  .addCommand(assessments)
  .addCommand(appointments)
  .addCommand(activity)
  .addCommand(reminders)
  .addCommand(deliveries)
  .addCommand(sos);
