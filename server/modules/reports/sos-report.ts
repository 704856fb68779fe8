import type { SosReportInput } from '../../../shared/schemas/reports.ts';
import { sosOutcomes, type SosOutcome } from '../../../shared/schemas/sos.ts';
import type { AuthedCtx } from '../../context.ts';
import { reportPeriod } from './report-period.ts';

type Row = {
  period_start: string | null;
  raised: number;
  open: number;
  acknowledged: number;
  resolved: number;
  escalated: number;
  outcomes: Partial<Record<SosOutcome, number>> | null;
  ack_median: number | null;
  ack_p90: number | null;
  resolve_median: number | null;
  resolve_p90: number | null;
};

const minutes = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 6) / 10);

/**
 * SOS requests raised in the period, per day, week or month of the practice's time zone, and in total:
 * how many, where each stands now, their outcomes, and the median and 90th percentile minutes from raising
 * to acknowledgement and to resolution. One aggregate query (grouping sets give the periods and the total).
 */
export async function sosReport(ctx: AuthedCtx, input: SosReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  const timeZone = ctx.actor.identity.practice.timeZone;
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with raised as (
       select (date_trunc(?, s.created_at at time zone ?))::date::text as period_start, s.status, s.outcome, s.escalation_step,
              extract(epoch from s.acknowledged_at - s.created_at)::float8 as ack_s, extract(epoch from s.resolved_at - s.created_at)::float8 as resolve_s
         from sos_request s where s.practice_id = ? and s.created_at >= ? and s.created_at < ?
     ),
     counted as (
       select period_start, grouping(period_start) as is_total, count(*)::int as raised,
              count(*) filter (where status = 'open')::int as open, count(*) filter (where status = 'acknowledged')::int as acknowledged,
              count(*) filter (where status = 'resolved')::int as resolved, count(*) filter (where escalation_step > 0)::int as escalated,
              percentile_cont(0.5) within group (order by ack_s) as ack_median, percentile_cont(0.9) within group (order by ack_s) as ack_p90,
              percentile_cont(0.5) within group (order by resolve_s) as resolve_median, percentile_cont(0.9) within group (order by resolve_s) as resolve_p90
         from raised group by grouping sets ((period_start), ())
     ),
     outcomes as (
       select period_start, grouping(period_start) as is_total, jsonb_object_agg(outcome, n) as outcomes
         from (select period_start, outcome, count(*)::int as n from raised where outcome is not null group by period_start, outcome) o
        group by grouping sets ((period_start), ())
     )
     select c.period_start, c.raised, c.open, c.acknowledged, c.resolved, c.escalated, o.outcomes, c.ack_median, c.ack_p90, c.resolve_median, c.resolve_p90
       from counted c left join outcomes o on o.is_total = c.is_total and o.period_start is not distinct from c.period_start
      order by c.is_total, c.period_start`,
    [input.per, timeZone, ctx.actor.practiceId, from, to],
  );
  const toRow = (r: Row | undefined) => ({
    raised: r?.raised ?? 0,
    open: r?.open ?? 0,
    acknowledged: r?.acknowledged ?? 0,
    resolved: r?.resolved ?? 0,
    escalated: r?.escalated ?? 0,
    outcomes: Object.fromEntries(sosOutcomes.map((o) => [o, r?.outcomes?.[o] ?? 0])) as Record<SosOutcome, number>,
    acknowledgeMedianMinutes: minutes(r?.ack_median ?? null),
    acknowledgeP90Minutes: minutes(r?.ack_p90 ?? null),
    resolveMedianMinutes: minutes(r?.resolve_median ?? null),
    resolveP90Minutes: minutes(r?.resolve_p90 ?? null),
  });
  const periods = rows.filter((r) => r.period_start !== null);
  // With no request at all, grouping sets still give the total's row (count 0).
  const total = rows.find((r) => r.period_start === null);
  return { from, to, per: input.per, timeZone, rows: periods.map((r) => ({ periodStart: r.period_start!, ...toRow(r) })), total: toRow(total) };
}
