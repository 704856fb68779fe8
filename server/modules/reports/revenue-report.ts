import type { RevenueReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { billingDocuments } from './billing-documents.ts';
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

/**
 * How the period's documents are grouped: whole (their own totals, a row per period), or by the clinician
 * of the charge on each line, or by the line's service code and name as billed (their invoices' lines,
 * negated for a credit note). Split rows count a document once per clinician or service it has a line of.
 */
const groupings = {
  none: `select period_start, null::text as key, null::text as name, sign, net, tax, gross from dated`,
  clinician: `select d.period_start, c.clinician_id::text as key, null::text as name, d.sign, sum(d.sign * l.net) as net, sum(d.sign * l.tax) as tax, sum(d.sign * l.total) as gross
         from dated d join invoice_line l on l.invoice_id = d.invoice_id left join charge c on c.id = l.charge_id
        group by d.period_start, c.clinician_id, d.document_id, d.sign`,
  service: `select d.period_start, l.service_code as key, l.service_name as name, d.sign, sum(d.sign * l.net) as net, sum(d.sign * l.tax) as tax, sum(d.sign * l.total) as gross
         from dated d join invoice_line l on l.invoice_id = d.invoice_id
        group by d.period_start, l.service_code, l.service_name, d.document_id, d.sign`,
};

/**
 * Revenue in the period, per day, week or month of the practice's time zone (and per clinician or service
 * when asked), and in total: **invoices by their issue date, less credit notes by theirs** (a credit note
 * in a later period lowers that period, not the invoice's). Net, tax and gross are exact sums of minor
 * units (the total from the documents' own totals, which are the sums of their lines). Whatever has been
 * paid does not matter here: this is what was billed. One aggregate query.
 */
export async function revenueReport(ctx: AuthedCtx, input: RevenueReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  const timeZone = ctx.actor.identity.practice.timeZone;
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with period as (select ?::uuid as practice_id, ?::timestamptz as from_at, ?::timestamptz as to_at),
     ${billingDocuments},
     dated as (select date_trunc(?, d.at at time zone ?)::date as period_start, d.* from documents d),
     per_document as (${groupings[input.by ?? 'none']}),
     grouped as (
       select period_start, key, name, count(*) filter (where sign = 1)::int as invoices, count(*) filter (where sign = -1)::int as credit_notes,
              sum(net)::bigint as net, sum(tax)::bigint as tax, sum(gross)::bigint as gross
         from per_document group by period_start, key, name
     )
     select g.period_start::text, g.key, ${input.by === 'clinician' ? 'u.name' : 'g.name'} as name, false as is_total, g.invoices, g.credit_notes, g.net, g.tax, g.gross
       from grouped g${input.by === 'clinician' ? ' left join users u on u.id = g.key::uuid' : ''}
     union all
     select null, null, null, true, count(*) filter (where sign = 1)::int, count(*) filter (where sign = -1)::int,
            coalesce(sum(net), 0)::bigint, coalesce(sum(tax), 0)::bigint, coalesce(sum(gross), 0)::bigint
       from dated
      order by is_total, period_start, name nulls last, key`,
    [ctx.actor.practiceId, from, to, input.per, timeZone],
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
