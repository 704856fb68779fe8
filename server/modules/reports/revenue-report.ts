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
 * Where each amount comes from: the documents' totals, or (split by clinician or service) their invoices'
 * lines, negated for a credit note, with the line's clinician (the charge's) or service (the line's code
 * and name, as billed).
 */
const sources = {
  none: { key: 'null::text', name: 'null::text', from: 'documents d', amounts: 'd.net, d.tax, d.gross' },
  clinician: {
    key: 'u.id::text',
    name: 'u.name',
    from: 'documents d join invoice_line l on l.invoice_id = d.invoice_id left join charge c on c.id = l.charge_id left join users u on u.id = c.clinician_id',
    amounts: 'd.sign * l.net as net, d.sign * l.tax as tax, d.sign * l.total as gross',
  },
  service: {
    key: 'l.service_code',
    name: 'l.service_name',
    from: 'documents d join invoice_line l on l.invoice_id = d.invoice_id',
    amounts: 'd.sign * l.net as net, d.sign * l.tax as tax, d.sign * l.total as gross',
  },
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
  const source = sources[input.by ?? 'none'];
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with period as (select ?::uuid as practice_id, ?::timestamptz as from_at, ?::timestamptz as to_at),
     ${billingDocuments},
     items as (
       select date_trunc(?, d.at at time zone ?)::date::text as period_start, ${source.key} as key, ${source.name} as name, d.document_id, d.sign, ${source.amounts}
         from ${source.from}
     ),
     per_document as (
       select period_start, key, name, sign, sum(net) as net, sum(tax) as tax, sum(gross) as gross from items group by period_start, key, name, document_id, sign
     )
     select period_start, key, name, false as is_total, count(*) filter (where sign = 1)::int as invoices, count(*) filter (where sign = -1)::int as credit_notes,
            sum(net)::bigint as net, sum(tax)::bigint as tax, sum(gross)::bigint as gross
       from per_document group by period_start, key, name
     union all
     select null, null, null, true, count(*) filter (where sign = 1)::int, count(*) filter (where sign = -1)::int,
            coalesce(sum(net), 0)::bigint, coalesce(sum(tax), 0)::bigint, coalesce(sum(gross), 0)::bigint
       from documents
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
