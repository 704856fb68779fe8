import type { RevenueReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { perDocumentSplits } from '../billing/revenue-days.ts';
import { billingDocuments } from '../billing/billing-documents.ts';
import { minor, reportCurrency } from './report-money.ts';
import { reportPeriod } from './report-period.ts';

type Row = {
  period_start: string | null;
  key: string | null;
  name: string | null;
  is_total: boolean;
  invoices: number;
  credit_notes: number;
  net: string;
  tax: string;
  gross: string;
};

const splits = { none: 'document', clinician: 'clinician', service: 'service' } as const;

/**
 * Revenue in the period, per day, week or month of the practice's time zone (and per clinician or service
 * when asked), and in total: **invoices by their issue date, less credit notes by theirs** (a credit note
 * in a later period lowers that period, not the invoice's). Net, tax and gross are exact sums of minor
 * units (the total from the documents' own totals, which are the sums of their lines); a split row counts
 * a document once per clinician or service it has a line of. Whatever has been paid does not matter here:
 * this is what was billed.
 *
 * One aggregate query over days, not documents: the whole days of the period from `revenue_day` (kept as
 * each document is issued, revenue-days.ts), and the documents of its ends, when it starts or ends within a
 * day, from the documents themselves, split the same way (`perDocumentSplits`).
 */
export async function revenueReport(ctx: AuthedCtx, input: RevenueReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  const timeZone = ctx.actor.identity.practice.timeZone;
  const split = splits[input.by ?? 'none'];
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with asked as (select ?::uuid as practice_id, ?::timestamptz as from_at, ?::timestamptz as to_at, ?::text as zone),
     whole as (
       select a.*, w.first_day, w.end_day, w.first_day::timestamp at time zone a.zone as first_at, w.end_day::timestamp at time zone a.zone as end_at
         from asked a, lateral (select (a.from_at at time zone a.zone)::date + ((a.from_at at time zone a.zone)::time > '00:00')::int as first_day, (a.to_at at time zone a.zone)::date as end_day) w
     ),
     period as (
       select practice_id, from_at, to_at from whole where first_day >= end_day
       union all select practice_id, from_at, first_at from whole where first_day < end_day and from_at < first_at
       union all select practice_id, end_at, to_at from whole where first_day < end_day and end_at < to_at
     ),
     ${billingDocuments},
     dated as (select (d.at at time zone a.zone)::date as day, d.* from documents d, asked a),
     ${perDocumentSplits},
     days as (
       select r.split, r.day, r.key, r.name, r.invoices, r.credit_notes, r.net, r.tax, r.gross
         from revenue_day r, whole w where r.practice_id = w.practice_id and r.split in ('document', ?) and r.day >= w.first_day and r.day < w.end_day
       union all
       select split, day, key, name, (sign = 1)::int, (sign = -1)::int, net, tax, gross from per_document where split in ('document', ?)
     ),
     grouped as (
       select date_trunc(?, day::timestamp)::date as period_start, nullif(key, '') as key, nullif(name, '') as name,
              sum(invoices)::int as invoices, sum(credit_notes)::int as credit_notes, sum(net)::bigint as net, sum(tax)::bigint as tax, sum(gross)::bigint as gross
         from days where split = ? group by 1, 2, 3
     )
     select g.period_start::text, g.key, ${input.by === 'clinician' ? 'u.name' : 'g.name'} as name, false as is_total, g.invoices, g.credit_notes, g.net, g.tax, g.gross
       from grouped g${input.by === 'clinician' ? ' left join users u on u.id = g.key::uuid' : ''}
     union all
     select null, null, null, true, coalesce(sum(invoices), 0)::int, coalesce(sum(credit_notes), 0)::int,
            coalesce(sum(net), 0)::bigint, coalesce(sum(tax), 0)::bigint, coalesce(sum(gross), 0)::bigint
       from days where split = 'document'
      order by is_total, period_start, name nulls last, key`,
    [ctx.actor.practiceId, from, to, timeZone, split, split, input.per, split],
  );
  const amounts = (r: Row | undefined) => ({
    invoices: r?.invoices ?? 0,
    creditNotes: r?.credit_notes ?? 0,
    net: minor(r?.net ?? 0),
    tax: minor(r?.tax ?? 0),
    gross: minor(r?.gross ?? 0),
  });
  const byClinician = input.by === 'clinician';
  const byService = input.by === 'service';
  return {
    from,
    to,
    per: input.per,
    by: input.by ?? null,
    timeZone,
    ...reportCurrency(ctx),
    rows: rows
      .filter((r) => !r.is_total)
      .map((r) => ({
        periodStart: r.period_start!,
        clinicianId: byClinician ? r.key : null,
        clinicianName: byClinician ? r.name : null,
        serviceCode: byService ? r.key : null,
        serviceName: byService ? r.name : null,
        ...amounts(r),
      })),
    total: amounts(rows.find((r) => r.is_total)),
  };
}
