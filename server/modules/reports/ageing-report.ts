import type { AgeingReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { minor, reportCurrency } from './report-money.ts';

type BillToKind = 'patient' | 'guardian' | 'organisation';
type Row = {
  bill_to_kind: BillToKind | null;
  organisation_id: string | null;
  organisation_name: string | null;
  is_total: boolean;
  invoices: number;
  current: string;
  days_1_30: string;
  days_31_60: string;
  days_61_90: string;
  over_90: string;
  total: string;
};

/**
 * Receivables at `at` (default now): the balance of every open invoice (issued or partially paid, with a
 * balance left) issued before then, by **days past its due date**, counted in calendar days of the
 * practice's time zone: current (due that day or later), 1–30, 31–60, 61–90 and over 90 days. Per
 * bill-to kind (patients and guardians one row each; each organisation its own) and in total.
 *
 * The balances are as they stand now, with every payment recorded so far: `at` moves the day the ages
 * are counted to, not the payments (an invoice paid or voided since is not in it). One aggregate query.
 */
export async function ageingReport(ctx: AuthedCtx, input: AgeingReportInput) {
  const at = input.at ? new Date(input.at).toISOString() : ctx.clock.now().toISOString();
  const timeZone = ctx.actor.identity.practice.timeZone;
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with period as (select ?::uuid as practice_id, ?::timestamptz as at, (?::timestamptz at time zone ?)::date as day, ?::text as time_zone),
     -- Where each bucket starts, as an instant: the practice's midnight of the day 0, 30, 60 and 90 days back (a due date's age in days is
     -- the calendar days from it to the day, so it is compared with these, not worked out per invoice).
     since as (select p.*, (p.day::timestamp at time zone p.time_zone) as d0, ((p.day - 30)::timestamp at time zone p.time_zone) as d30,
                      ((p.day - 60)::timestamp at time zone p.time_zone) as d60, ((p.day - 90)::timestamp at time zone p.time_zone) as d90 from period p),
     open as (
       select i.bill_to_kind, i.bill_to_organisation_id, i.balance, i.due_at, s.d0, s.d30, s.d60, s.d90
         from invoice i, since s
        where i.practice_id = s.practice_id and i.status in ('issued', 'partially-paid') and i.balance > 0 and i.issued_at < s.at
     )
     select o.bill_to_kind, o.bill_to_organisation_id as organisation_id, g.name as organisation_name, grouping(o.bill_to_kind) = 1 as is_total, count(*)::int as invoices,
            coalesce(sum(o.balance) filter (where o.due_at >= o.d0), 0)::bigint as current,
            coalesce(sum(o.balance) filter (where o.due_at >= o.d30 and o.due_at < o.d0), 0)::bigint as days_1_30,
            coalesce(sum(o.balance) filter (where o.due_at >= o.d60 and o.due_at < o.d30), 0)::bigint as days_31_60,
            coalesce(sum(o.balance) filter (where o.due_at >= o.d90 and o.due_at < o.d60), 0)::bigint as days_61_90,
            coalesce(sum(o.balance) filter (where o.due_at < o.d90), 0)::bigint as over_90,
            coalesce(sum(o.balance), 0)::bigint as total
       from open o left join organisation g on g.id = o.bill_to_organisation_id
      group by grouping sets ((o.bill_to_kind, o.bill_to_organisation_id, g.name), ())
      order by is_total, o.bill_to_kind, g.name, o.bill_to_organisation_id`,
    [ctx.actor.practiceId, at, at, timeZone, timeZone],
  );
  const amounts = (r: Row | undefined) => ({
    invoices: r?.invoices ?? 0,
    current: minor(r?.current ?? 0),
    days1To30: minor(r?.days_1_30 ?? 0),
    days31To60: minor(r?.days_31_60 ?? 0),
    days61To90: minor(r?.days_61_90 ?? 0),
    over90: minor(r?.over_90 ?? 0),
    total: minor(r?.total ?? 0),
  });
  return {
    at,
    timeZone,
    ...reportCurrency(ctx),
    rows: rows.filter((r) => !r.is_total).map((r) => ({ billToKind: r.bill_to_kind!, organisationId: r.organisation_id, organisationName: r.organisation_name, ...amounts(r) })),
    total: amounts(rows.find((r) => r.is_total)),
  };
}
