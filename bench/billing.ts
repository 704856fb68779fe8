import { DateTime } from 'luxon';
import { lineAmounts } from '../server/modules/billing/line-tax.ts';
import { rebuildRevenueDays } from '../server/modules/billing/revenue-days.ts';
import { closeOrm, initOrm } from '../server/orm.ts';
import { withClient } from './pg-client.ts';

/**
 * Billing for `npm run bench`: the practice's price list through the API (GST rates with their CGST and
 * SGST components, an exempt service, insurers), then N issued invoices in one transaction of set-based
 * SQL (`INSERT … SELECT` over `generate_series`, no row through Node): 1 to 3 lines each, each from a
 * charge of one of the clinicians, spread over the last year, numbered gaplessly per year in the
 * practice's time zone as `numbering.ts` would have; 5% voided by a credit note, and most of the older
 * ones paid (some in part); then the revenue report's days worked out from them (revenue-days.ts). Plus
 * drafts, one line each, for the `invoices.issue` run to issue one a request.
 */

const TAX_RATES = [
  {
    name: 'GST 18%',
    ratePpm: 180_000,
    components: [
      { name: 'CGST', ratePpm: 90_000 },
      { name: 'SGST', ratePpm: 90_000 },
    ],
  },
  {
    name: 'GST 12%',
    ratePpm: 120_000,
    components: [
      { name: 'CGST', ratePpm: 60_000 },
      { name: 'SGST', ratePpm: 60_000 },
    ],
  },
];
/** The price list: code, name, price in paise, tax rate (index into TAX_RATES; null: exempt). */
const SERVICES = [
  { code: 'PHYSIO', name: 'Physiotherapy session', price: 1_500_00, rate: 0 },
  { code: 'BRACE', name: 'Hinged knee brace', price: 2_499_00, rate: 1 },
  { code: 'CONSULT', name: 'Consultation', price: 800_00, rate: null },
] as const;
const ORGANISATIONS = ['Star Health', 'HDFC ERGO', 'Infosys Ltd'];

/** A mutation as the admin; what it answers is the procedure's output (only `id` is read here). */
type Call = (procedure: string, input: unknown) => Promise<unknown>;
const idOf = (created: unknown) => (created as { id: string }).id;

export type BillingSeed = { invoices: number; lines: number; creditNotes: number; open: number; drafts: string[]; ms: number };

/** Sets the practice up for billing through the API, then seeds `invoices` issued invoices and `drafts` drafts in SQL. */
export async function seedBilling(options: {
  url: string;
  call: Call;
  practiceId: string;
  adminId: string;
  clinicianIds: string[];
  timeZone: string;
  invoices: number;
  drafts: number;
  log: (line: string) => void;
}): Promise<BillingSeed> {
  const started = performance.now();
  const { call } = options;
  await call('practices.update', { currency: 'INR', paymentTermsDays: 30, invoiceNumberFormat: 'INV-{YYYY}-{SEQ:6}', creditNoteNumberFormat: 'CN-{YYYY}-{SEQ:6}' });
  const rates: string[] = [];
  for (const rate of TAX_RATES) rates.push(idOf(await call('taxRates.create', rate)));
  const services: string[] = [];
  for (const s of SERVICES) services.push(idOf(await call('services.create', { code: s.code, name: s.name, price: s.price, taxRateId: s.rate === null ? null : rates[s.rate] })));
  const organisations: string[] = [];
  for (const name of ORGANISATIONS) organisations.push(idOf(await call('organisations.create', { name, kind: 'insurer' })));
  // Each service's line of quantity 1, worked out by billing's own rounding rule.
  const amounts = SERVICES.map((s) => lineAmounts({ quantity: 1, unitPrice: s.price, discount: 0, components: s.rate === null ? [] : TAX_RATES[s.rate]!.components, pricesIncludeTax: false }));
  const p = {
    practice: options.practiceId,
    admin: options.adminId,
    clinicians: options.clinicianIds,
    timeZone: options.timeZone,
    n: options.invoices,
    drafts: options.drafts,
    services,
    codes: SERVICES.map((s) => s.code),
    names: SERVICES.map((s) => s.name),
    prices: SERVICES.map((s) => s.price),
    rateNames: SERVICES.map((s) => (s.rate === null ? null : TAX_RATES[s.rate]!.name)),
    components: amounts.map((a) => JSON.stringify(a.components)),
    net: amounts.map((a) => a.net),
    tax: amounts.map((a) => a.tax),
    organisations,
    organisationNames: ORGANISATIONS,
  };
  const counts = await withClient(options.url, async (db) => {
    await db.query('begin');
    await db.query('select setseed(0.16)');
    // The plan: invoice k, its patient, when it was issued, its fate and payer. Older ones are more often paid.
    await db.query(
      `create temp table bench_invoice on commit drop as
       with patients as (select array_agg(id order by id) as ids from patient where practice_id = $1 and status = 'active'),
       drawn as (select g as k, random() as fate, random() as payer, now() - (random() * interval '365 days') - interval '1 hour' as issued_at from generate_series(0, $2::int - 1) g)
       select d.k, gen_random_uuid() as id, pt.ids[1 + d.k % cardinality(pt.ids)] as patient_id, d.issued_at, 1 + d.k % 3 as lines,
              case when d.fate < 0.05 then 'void'
                   when d.fate < case when d.issued_at < now() - interval '120 days' then 0.90 else 0.35 end then 'paid'
                   when d.fate < case when d.issued_at < now() - interval '120 days' then 0.93 else 0.50 end then 'partially-paid'
                   else 'issued' end as status,
              case when d.payer < 0.15 then 1 + (d.k % $3::int) end as organisation
         from drawn d, patients pt`,
      [p.practice, p.n, p.organisations.length],
    );
    await db.query(
      `create temp table bench_line on commit drop as
       select i.id as invoice_id, j as position, gen_random_uuid() as id, gen_random_uuid() as charge_id, 1 + (i.k + j) % 3 as s, ($1::uuid[])[1 + (i.k + j) % cardinality($1::uuid[])] as clinician_id
         from bench_invoice i cross join generate_series(1, i.lines) j`,
      [p.clinicians],
    );
    await db.query(
      `insert into invoice (id, practice_id, patient_id, number, status, currency, prices_include_tax, bill_to_kind, bill_to_organisation_id, bill_to_name,
                            subtotal, tax, total, tax_summary, amount_paid, balance, issued_at, issued_by, due_at, voided_at, voided_by, void_reason, created_by, created_at, updated_at)
       with totals as (
         select l.invoice_id, sum(($2::bigint[])[l.s])::bigint as net, sum(($3::bigint[])[l.s])::bigint as tax from bench_line l group by l.invoice_id
       ),
       summary as (
         select invoice_id, jsonb_agg(jsonb_build_object('name', name, 'ratePpm', rate_ppm, 'tax', tax) order by rate_ppm desc, name) as tax_summary
           from (select l.invoice_id, c->>'name' as name, (c->>'ratePpm')::int as rate_ppm, sum((c->>'tax')::bigint) as tax
                   from bench_line l cross join jsonb_array_elements(($4::jsonb[])[l.s]) c group by 1, 2, 3) x
          group by invoice_id
       ),
       numbered as (
         select i.*, t.net, t.tax, t.net + t.tax as total, coalesce(s.tax_summary, '[]') as tax_summary,
                extract(year from i.issued_at at time zone $5)::int as year,
                row_number() over (partition by extract(year from i.issued_at at time zone $5) order by i.issued_at, i.k) as seq
           from bench_invoice i join totals t on t.invoice_id = i.id left join summary s on s.invoice_id = i.id
       )
       select n.id, $1, n.patient_id, 'INV-' || n.year || '-' || lpad(n.seq::text, 6, '0'), n.status, 'INR', false,
              case when n.organisation is null then 'patient' else 'organisation' end, ($6::uuid[])[n.organisation], coalesce(($7::text[])[n.organisation], 'Bench Patient'),
              n.net, n.tax, n.total, n.tax_summary,
              case n.status when 'paid' then n.total when 'partially-paid' then n.total / 2 else 0 end,
              case n.status when 'paid' then 0 when 'partially-paid' then n.total - n.total / 2 else n.total end,
              n.issued_at, $8, n.issued_at + interval '30 days',
              case when n.status = 'void' then least(now(), n.issued_at + interval '9 days') end, case when n.status = 'void' then $8::uuid end,
              case when n.status = 'void' then 'Billed in error' end,
              $8, n.issued_at - interval '10 minutes', n.issued_at
         from numbered n`,
      [p.practice, p.net, p.tax, p.components, p.timeZone, p.organisations, p.organisationNames, p.admin],
    );
    await db.query(
      `insert into charge (id, practice_id, patient_id, service_id, quantity, unit_price, discount, clinician_id, status, invoice_id, created_by, created_at, updated_at)
       select l.charge_id, $1, i.patient_id, ($2::uuid[])[l.s], 1, ($3::int[])[l.s], 0, l.clinician_id,
              case when i.status = 'void' then 'uninvoiced' else 'invoiced' end, case when i.status <> 'void' then i.id end, $4, i.issued_at - interval '1 hour', i.issued_at
         from bench_line l join bench_invoice i on i.id = l.invoice_id`,
      [p.practice, p.services, p.prices, p.admin],
    );
    await db.query(
      `insert into invoice_line (id, practice_id, invoice_id, position, charge_id, service_id, service_code, service_name, quantity, unit_price, discount, tax_rate_name, tax_components, net, tax, total)
       select l.id, $1, l.invoice_id, l.position, l.charge_id, ($2::uuid[])[l.s], ($3::text[])[l.s], ($4::text[])[l.s], 1, ($5::int[])[l.s], 0, ($6::text[])[l.s], ($7::jsonb[])[l.s],
              ($8::bigint[])[l.s], ($9::bigint[])[l.s], ($8::bigint[])[l.s] + ($9::bigint[])[l.s]
         from bench_line l`,
      [p.practice, p.services, p.codes, p.names, p.prices, p.rateNames, p.components, p.net, p.tax],
    );
    await db.query(
      `insert into credit_note (id, practice_id, invoice_id, number, subtotal, tax, total, tax_summary, reason, issued_at, issued_by)
       select gen_random_uuid(), $1, i.id,
              'CN-' || extract(year from i.voided_at at time zone $2) || '-' || lpad((row_number() over (partition by extract(year from i.voided_at at time zone $2) order by i.voided_at, i.id))::text, 6, '0'),
              -i.subtotal, -i.tax, -i.total, (select coalesce(jsonb_agg(c || jsonb_build_object('tax', -(c->>'tax')::bigint)), '[]') from jsonb_array_elements(i.tax_summary) c),
              i.void_reason, i.voided_at, $3
         from invoice i where i.practice_id = $1 and i.status = 'void'`,
      [p.practice, p.timeZone, p.admin],
    );
    // The series' last numbers, as numbering.ts keeps them.
    await db.query(
      `insert into billing_sequence (practice_id, series, year, last_value)
       select $1, 'invoice', extract(year from issued_at at time zone $2), count(*) from invoice where practice_id = $1 and number is not null group by 3
       union all
       select $1, 'credit-note', extract(year from issued_at at time zone $2), count(*) from credit_note where practice_id = $1 group by 3`,
      [p.practice, p.timeZone],
    );
    // Drafts for the issue run: one physiotherapy line each, by hand, for a patient of the practice.
    const { rows: drafts } = await db.query<{ id: string }>(
      `with patients as (select array_agg(id order by id) as ids from patient where practice_id = $1 and status = 'active'),
       made as (
         insert into invoice (id, practice_id, patient_id, status, currency, prices_include_tax, bill_to_kind, subtotal, tax, total, tax_summary, amount_paid, balance, created_by, created_at, updated_at)
         select gen_random_uuid(), $1, pt.ids[1 + g % cardinality(pt.ids)], 'draft', 'INR', false, 'patient', $3::bigint, $4::bigint, $3::bigint + $4::bigint, $5::jsonb, 0, $3::bigint + $4::bigint, $6, now(), now()
           from generate_series(1, $2::int) g, patients pt
         returning id
       )
       select id from made`,
      [p.practice, p.drafts, p.net[0], p.tax[0], JSON.stringify(amounts[0]!.components), p.admin],
    );
    await db.query(
      `insert into invoice_line (id, practice_id, invoice_id, position, service_id, service_code, service_name, quantity, unit_price, discount, tax_rate_name, tax_components, net, tax, total)
       select gen_random_uuid(), $1, d, 1, $2, $3, $4, 1, $5, 0, $6, $7::jsonb, $8, $9, $8::bigint + $9::bigint from unnest($10::uuid[]) d`,
      [p.practice, p.services[0], p.codes[0], p.names[0], p.prices[0], p.rateNames[0], p.components[0], p.net[0], p.tax[0], drafts.map((d) => d.id)],
    );
    const {
      rows: [c],
    } = await db.query<{ lines: number; credit_notes: number; open: number }>(
      `select (select count(*) from bench_line)::int as lines, (select count(*) from credit_note where practice_id = $1)::int as credit_notes,
              (select count(*) from bench_invoice where status in ('issued', 'partially-paid'))::int as open`,
      [p.practice],
    );
    await db.query('commit');
    return { ...c!, drafts: drafts.map((d) => d.id) };
  });
  // The revenue report's days, worked out from the seeded documents by billing's own rebuild (what a change of time zone does).
  const orm = await initOrm(options.url);
  try {
    await orm.em.fork().transactional((em) => rebuildRevenueDays(em, p.practice));
  } finally {
    await closeOrm(orm);
  }
  await withClient(options.url, async (db) => {
    // VACUUM sets the visibility map, so the reports read the covering indexes alone, as in a settled database.
    await db.query('vacuum analyze invoice, invoice_line, charge, credit_note, revenue_day');
  });
  const ms = performance.now() - started;
  options.log(
    `Billing: ${options.invoices.toLocaleString('en')} invoices (${counts.lines.toLocaleString('en')} lines, ${counts.credit_notes} credit notes) and ${options.drafts.toLocaleString('en')} drafts seeded in ${(ms / 1000).toFixed(1)} s`,
  );
  return { invoices: options.invoices, lines: counts.lines, creditNotes: counts.credit_notes, open: counts.open, drafts: counts.drafts, ms };
}

export type Numbering = { years: { year: number; numbered: number; lastValue: number; gapless: boolean }[]; gapless: boolean };

/**
 * Whether the invoice numbers are still gapless: per year, the numbers 1…n each once, n being the
 * series' last value (so no number was taken and lost by a rolled-back issue).
 */
export async function checkNumbering(url: string, practiceId: string): Promise<Numbering> {
  const { rows } = await withClient(url, (db) =>
    db.query<{ year: number; numbered: number; distinct_seq: number; min_seq: number; max_seq: number; last_value: number }>(
      `select s.year, count(i.id)::int as numbered, count(distinct split_part(i.number, '-', 3)::int)::int as distinct_seq,
              min(split_part(i.number, '-', 3)::int) as min_seq, max(split_part(i.number, '-', 3)::int) as max_seq, s.last_value
         from billing_sequence s left join invoice i on i.practice_id = s.practice_id and i.number like 'INV-' || s.year || '-%'
        where s.practice_id = $1 and s.series = 'invoice' group by s.year, s.last_value order by s.year`,
      [practiceId],
    ),
  );
  const years = rows.map((r) => ({
    year: r.year,
    numbered: r.numbered,
    lastValue: r.last_value,
    gapless: r.numbered === r.last_value && r.distinct_seq === r.numbered && r.min_seq === 1 && r.max_seq === r.last_value,
  }));
  return { years, gapless: years.every((y) => y.gapless) };
}

/** The report runs' inputs: ageing today; revenue per month over the last year (whole, and by clinician). */
export function reportInputs(timeZone: string) {
  const to = DateTime.now().setZone(timeZone).startOf('month').plus({ months: 1 });
  const period = { from: to.minus({ years: 1 }).toUTC().toISO()!, to: to.toUTC().toISO()! };
  return { ageing: {}, revenue: { ...period, per: 'month' }, revenueByClinician: { ...period, per: 'month', by: 'clinician' }, tax: period };
}
