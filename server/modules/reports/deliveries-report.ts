import { deliveryRequestStatuses, type DeliveryRequestStatus } from '../../../shared/schemas/deliveries.ts';
import type { DeliveriesReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { reportPeriod } from './report-period.ts';

type Row = { status: DeliveryRequestStatus; count: number; median_seconds: number | null; p90_seconds: number | null };

const hours = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 360) / 10);

/**
 * Delivery requests made in the period, by where each stood at the period's end (its last status
 * before then, from its history), with the median and 90th percentile hours from the request to
 * reaching that status: for `delivered`, the time to delivery. One aggregate query; every status has a row.
 */
export async function deliveriesReport(ctx: AuthedCtx, input: DeliveriesReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with period as (select ?::uuid as practice_id, ?::timestamptz as from_at, ?::timestamptz as to_at),
     standing as (
       select d.created_at, e.status, e.at
         from delivery_request d cross join period p
         cross join lateral (select e.status, e.at from delivery_event e where e.delivery_id = d.id and e.at < p.to_at order by e.at desc, e.id desc limit 1) e
        where d.practice_id = p.practice_id and d.created_at >= p.from_at and d.created_at < p.to_at
     )
     select status, count(*)::int as count,
            percentile_cont(0.5) within group (order by extract(epoch from at - created_at)::float8) as median_seconds,
            percentile_cont(0.9) within group (order by extract(epoch from at - created_at)::float8) as p90_seconds
       from standing group by status`,
    [ctx.actor.practiceId, from, to],
  );
  const byStatus = new Map(rows.map((r) => [r.status, r]));
  return {
    from,
    to,
    requests: rows.reduce((n, r) => n + r.count, 0),
    rows: deliveryRequestStatuses.map((status) => {
      const r = byStatus.get(status);
      const timed = r && status !== 'requested';
      return { status, count: r?.count ?? 0, medianHours: timed ? hours(r.median_seconds) : null, p90Hours: timed ? hours(r.p90_seconds) : null };
    }),
  };
}
