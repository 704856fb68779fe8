import type { AppointmentsReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { assertReportClinician } from './report-clinician.ts';
import { reportPeriod } from './report-period.ts';

type Row = {
  clinician_id: string | null;
  clinician_name: string | null;
  booked: number;
  open: number;
  completed: number;
  cancelled: number;
  no_show: number;
  booked_minutes: number;
  available_minutes: number;
};

/**
 * Appointments starting in the period, per clinician and for the practice (clinicianId null), and the
 * utilisation of availability: minutes of visits that were not cancelled over the minutes of weekly
 * hours (in the practice's time zone, as scheduling keeps them) less time off. All in one query.
 */
export async function appointmentsReport(ctx: AuthedCtx, input: AppointmentsReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  await assertReportClinician(ctx.em, input.clinicianId);
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with period as (select ?::uuid as practice_id, tstzrange(?::timestamptz, ?::timestamptz) as span, ?::uuid as clinician_id),
     windows as (
       select r.clinician_id, tstzrange((d.day + r.start_time) at time zone p.time_zone, (d.day + r.end_time) at time zone p.time_zone) * period.span as w
         from period join practice p on p.id = period.practice_id
         join availability_rule r on r.practice_id = p.id
         cross join lateral generate_series((lower(period.span) at time zone p.time_zone)::date - 1, (upper(period.span) at time zone p.time_zone)::date, interval '1 day') as d(day)
        where extract(isodow from d.day) = r.weekday and (period.clinician_id is null or r.clinician_id = period.clinician_id)
     ),
     available as (
       select w.clinician_id,
              range_agg(w.w) - coalesce((
                select range_agg(tstzrange(e.starts_at, e.ends_at)) from availability_exception e, period
                 where e.practice_id = period.practice_id and e.clinician_id = w.clinician_id and e.ends_at > lower(period.span) and e.starts_at < upper(period.span)
              ), '{}'::tstzmultirange) as free
         from windows w where not isempty(w.w) group by w.clinician_id
     ),
     available_minutes as (
       select a.clinician_id, coalesce(sum(extract(epoch from upper(f) - lower(f)) / 60), 0) as minutes
         from available a left join lateral unnest(a.free) as f on true group by a.clinician_id
     ),
     visits as (
       select a.clinician_id, count(*) as booked,
              count(*) filter (where a.status in ('booked', 'arrived')) as open,
              count(*) filter (where a.status = 'completed') as completed,
              count(*) filter (where a.status = 'cancelled') as cancelled,
              count(*) filter (where a.status = 'no-show') as no_show,
              coalesce(sum(extract(epoch from a.ends_at - a.starts_at) / 60) filter (where a.status <> 'cancelled'), 0) as booked_minutes
         from appointment a, period
        where a.practice_id = period.practice_id and a.starts_at <@ period.span and (period.clinician_id is null or a.clinician_id = period.clinician_id)
        group by a.clinician_id
     )
     select u.id as clinician_id, u.name as clinician_name,
            coalesce(sum(v.booked), 0)::int as booked, coalesce(sum(v.open), 0)::int as open, coalesce(sum(v.completed), 0)::int as completed,
            coalesce(sum(v.cancelled), 0)::int as cancelled, coalesce(sum(v.no_show), 0)::int as no_show,
            round(coalesce(sum(v.booked_minutes), 0))::int as booked_minutes, round(coalesce(sum(m.minutes), 0))::int as available_minutes
       from users u
       left join visits v on v.clinician_id = u.id
       left join available_minutes m on m.clinician_id = u.id
      where u.practice_id = (select practice_id from period) and (v.clinician_id is not null or m.clinician_id is not null)
      group by grouping sets ((u.id, u.name), ())
      order by grouping(u.id), u.name, u.id`,
    [ctx.actor.practiceId, from, to, input.clinicianId ?? null],
  );
  const toDto = (r: Row) => ({
    clinicianId: r.clinician_id,
    clinicianName: r.clinician_name,
    booked: r.booked,
    open: r.open,
    completed: r.completed,
    cancelled: r.cancelled,
    noShow: r.no_show,
    bookedMinutes: r.booked_minutes,
    availableMinutes: r.available_minutes,
    /** Percent of available minutes booked; null without hours. Above 100 when visits were booked outside hours. */
    utilisation: r.available_minutes > 0 ? Math.round((r.booked_minutes / r.available_minutes) * 1000) / 10 : null,
  });
  const total = rows.find((r) => r.clinician_id === null);
  return {
    from,
    to,
    rows: rows.filter((r) => r.clinician_id !== null).map(toDto),
    total: toDto(total ?? { clinician_id: null, clinician_name: null, booked: 0, open: 0, completed: 0, cancelled: 0, no_show: 0, booked_minutes: 0, available_minutes: 0 }),
  };
}
