import type { RemindersReportInput } from '../../../shared/schemas/reports.ts';
import type { Cadence } from '../../../shared/schemas/steps.ts';
import type { AuthedCtx } from '../../context.ts';
import { assertReportClinician } from './report-clinician.ts';
import { reportPeriod } from './report-period.ts';

type Row = {
  clinician_id: string | null;
  clinician_name: string | null;
  cadence: Cadence | null;
  all_clinicians: boolean;
  in_app_sent: number;
  email_sent: number;
  email_pending: number;
  email_skipped: number;
  email_cancelled: number;
  items_reminded: number;
  items_checked_in: number;
  median_seconds: number | null;
};

/**
 * Reminders made in the period, by the clinician whose note the plan item came from and by cadence,
 * with a row per cadence across clinicians (clinicianId null) and a total: deliveries by channel and
 * outcome, the plan items reminded, how many of those were checked in (by the end of the period), and
 * the median time from an item's first reminder to its check-in. One aggregate query.
 */
export async function remindersReport(ctx: AuthedCtx, input: RemindersReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  await assertReportClinician(ctx.em, input.clinicianId);
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with period as (select ?::uuid as practice_id, ?::timestamptz as from_at, ?::timestamptz as to_at, ?::uuid as clinician_id),
     reminded as (
       select d.step_id,
              count(*) filter (where d.channel = 'in-app' and d.status = 'sent') as in_app_sent,
              count(*) filter (where d.channel = 'email' and d.status = 'sent') as email_sent,
              count(*) filter (where d.channel = 'email' and d.status = 'pending') as email_pending,
              count(*) filter (where d.channel = 'email' and d.status = 'skipped') as email_skipped,
              count(*) filter (where d.channel = 'email' and d.status = 'cancelled') as email_cancelled
         from reminder_delivery d, period p
        where d.practice_id = p.practice_id and d.created_at >= p.from_at and d.created_at < p.to_at
        group by d.step_id
     ),
     items as (
       select r.*, s.cadence, n.author_id, (select min(f.sent_at) from reminder_delivery f where f.step_id = s.id and f.status = 'sent') as first_reminder_at,
              case when s.state = 'done' and s.done_at < p.to_at then s.done_at end as checked_in_at
         from reminded r join step s on s.id = r.step_id join note n on n.id = s.note_id, period p
        where p.clinician_id is null or n.author_id = p.clinician_id
     )
     select i.author_id as clinician_id, u.name as clinician_name, i.cadence, grouping(i.author_id) = 1 as all_clinicians,
            coalesce(sum(i.in_app_sent), 0)::int as in_app_sent, coalesce(sum(i.email_sent), 0)::int as email_sent,
            coalesce(sum(i.email_pending), 0)::int as email_pending, coalesce(sum(i.email_skipped), 0)::int as email_skipped,
            coalesce(sum(i.email_cancelled), 0)::int as email_cancelled,
            count(i.step_id)::int as items_reminded, count(i.checked_in_at)::int as items_checked_in,
            percentile_cont(0.5) within group (order by extract(epoch from i.checked_in_at - i.first_reminder_at)::float8) as median_seconds
       from items i left join users u on u.id = i.author_id
      group by grouping sets ((i.author_id, u.name, i.cadence), (i.cadence), ())
      order by grouping(i.cadence), i.cadence, grouping(i.author_id) desc, u.name, i.author_id`,
    [ctx.actor.practiceId, from, to, input.clinicianId ?? null],
  );
  const toDto = (r: Row) => ({
    clinicianId: r.clinician_id,
    clinicianName: r.clinician_name,
    cadence: r.cadence,
    remindersSent: r.in_app_sent + r.email_sent,
    inAppSent: r.in_app_sent,
    emailSent: r.email_sent,
    /** Emails waiting for their (next) attempt: failed sends are retried, never dropped. */
    emailPending: r.email_pending,
    /** No email address on file: the in-app reminder only. */
    emailSkipped: r.email_skipped,
    /** The plan item ended before the email went out. */
    emailCancelled: r.email_cancelled,
    itemsReminded: r.items_reminded,
    itemsCheckedIn: r.items_checked_in,
    /** Percent of the items reminded that were checked in; null when none was reminded. */
    checkInRate: r.items_reminded > 0 ? Math.round((r.items_checked_in / r.items_reminded) * 1000) / 10 : null,
    medianMinutesToCheckIn: r.median_seconds === null ? null : Math.round(r.median_seconds / 6) / 10,
  });
  const empty: Row = {
    clinician_id: null,
    clinician_name: null,
    cadence: null,
    all_clinicians: true,
    in_app_sent: 0,
    email_sent: 0,
    email_pending: 0,
    email_skipped: 0,
    email_cancelled: 0,
    items_reminded: 0,
    items_checked_in: 0,
    median_seconds: null,
  };
  const total = rows.find((r) => r.all_clinicians && r.cadence === null);
  return { from, to, rows: rows.filter((r) => r !== total).map(toDto), total: toDto(total ?? empty) };
}
