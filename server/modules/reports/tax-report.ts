import type { TaxReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { billingDocuments } from '../billing/billing-documents.ts';
import { minor, reportCurrency } from './report-money.ts';
import { reportPeriod } from './report-period.ts';

type Row = { rate_name: string | null; component: string | null; rate_ppm: number | null; is_total: boolean; taxable: string; tax: string };

/**
 * Tax collected in the period, as a practice files it: one row per tax rate and component (GST 18% gives
 * a CGST 9% and an SGST 9% row, each on the same taxable net), from the invoice lines' snapshots of their
 * rate and components, and a row of exempt supplies (rate null). Invoices count by their issue date, credit
 * notes (their invoices' lines, negated) by theirs. The total counts each line's net once. One query.
 */
export async function taxReport(ctx: AuthedCtx, input: TaxReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with period as (select ?::uuid as practice_id, ?::timestamptz as from_at, ?::timestamptz as to_at),
     ${billingDocuments},
     lines as (select d.sign, l.net, l.tax, l.tax_rate_name, l.tax_components from documents d join invoice_line l on l.invoice_id = d.invoice_id),
     components as (
       select l.tax_rate_name as rate_name, c.name as component, c."ratePpm" as rate_ppm, sum(l.sign * l.net) as taxable, coalesce(sum(l.sign * c.tax), 0) as tax
         from lines l left join lateral jsonb_to_recordset(l.tax_components) as c(name text, "ratePpm" int, tax bigint) on true
        group by 1, 2, 3
     )
     select rate_name, component, rate_ppm, false as is_total, taxable::bigint, tax::bigint from components
     union all
     select null, null, null, true, coalesce(sum(sign * net), 0)::bigint, coalesce(sum(sign * tax), 0)::bigint from lines
     order by is_total, rate_name nulls last, rate_ppm desc, component`,
    [ctx.actor.practiceId, from, to],
  );
  const total = rows.find((r) => r.is_total)!;
  return {
    from,
    to,
    ...reportCurrency(ctx),
    rows: rows.filter((r) => !r.is_total).map((r) => ({ rateName: r.rate_name, component: r.component, ratePpm: r.rate_ppm, taxable: minor(r.taxable), tax: minor(r.tax) })),
    total: { taxable: minor(total.taxable), tax: minor(total.tax) },
  };
}
