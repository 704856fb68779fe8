import type { EntityManager } from '@mikro-orm/postgresql';
import { documentRows } from './billing-documents.ts';

/**
 * Over `dated` (a row per issued document: day, invoice_id, document_id, sign, net, tax, gross), the CTE
 * `per_document`: each document's rows of each split (revenue-day.entity.ts), a clinician's or service's
 * the sums of the document's lines of theirs (negated for a credit note, whose lines are its invoice's).
 */
export const perDocumentSplits = `lines as (
       select d.day, d.document_id, d.sign, coalesce(c.clinician_id::text, '') as clinician, l.service_code, l.service_name, l.net, l.tax, l.total
         from dated d join invoice_line l on l.invoice_id = d.invoice_id left join charge c on c.id = l.charge_id
     ),
     per_document as (
       select 'document' as split, day, '' as key, '' as name, sign, net, tax, gross from dated
       union all
       select 'clinician', day, clinician, '', sign, sum(sign * net), sum(sign * tax), sum(sign * total) from lines group by day, clinician, document_id, sign
       union all
       select 'service', day, service_code, service_name, sign, sum(sign * net), sum(sign * tax), sum(sign * total) from lines group by day, service_code, service_name, document_id, sign
     )`;

/**
 * Keeps `revenue_day` (revenue-day.entity.ts): what a set of issued documents adds to each day, split,
 * key and name, in one statement. The practice's row is read FOR SHARE, so a change of its time zone
 * (which rebuilds the days, `rebuildRevenueDays`) waits for an issue in flight, and an issue after it
 * dates by the new zone. Rows are added in key order, so two transactions never wait on each other's.
 */
function addDocuments(invoices: string, creditNotes: string) {
  return `with zone as (select id, time_zone from practice where id = ? for share),
     documents as (${documentRows(`i.practice_id = (select id from zone) and ${invoices}`, `c.practice_id = (select id from zone) and ${creditNotes}`)}
     ),
     dated as (select (d.at at time zone z.time_zone)::date as day, d.* from documents d, zone z),
     ${perDocumentSplits}
     insert into revenue_day (practice_id, split, day, key, name, invoices, credit_notes, net, tax, gross)
     select (select id from zone), split, day, key, name, count(*) filter (where sign = 1), count(*) filter (where sign = -1), sum(net), sum(tax), sum(gross)
       from per_document group by split, day, key, name order by split, day, key, name
     on conflict (practice_id, split, day, key, name) do update set
       invoices = revenue_day.invoices + excluded.invoices, credit_notes = revenue_day.credit_notes + excluded.credit_notes,
       net = revenue_day.net + excluded.net, tax = revenue_day.tax + excluded.tax, gross = revenue_day.gross + excluded.gross`;
}

const addOneInvoice = addDocuments('i.id = ?', 'false');
const addOneCreditNote = addDocuments('false', 'c.id = ?');
const addEveryDocument = addDocuments('true', 'true');

/** Adds a just-issued invoice to its day (call it after the issue is flushed, in its transaction). */
export async function addIssuedInvoice(em: EntityManager, practiceId: string, invoiceId: string): Promise<void> {
  await em.execute(addOneInvoice, [practiceId, invoiceId]);
}

/** Adds a just-issued credit note to its day, negatively (after it is flushed, in its transaction). */
export async function addCreditNote(em: EntityManager, practiceId: string, creditNoteId: string): Promise<void> {
  await em.execute(addOneCreditNote, [practiceId, creditNoteId]);
}

/** Works every day of the practice out again from its documents, in its current time zone. */
export async function rebuildRevenueDays(em: EntityManager, practiceId: string): Promise<void> {
  await em.execute('delete from revenue_day where practice_id = ?', [practiceId]);
  await em.execute(addEveryDocument, [practiceId]);
}
