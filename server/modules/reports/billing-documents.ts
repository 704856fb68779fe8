/**
 * The billing documents of a report's period, as one CTE over `period p` (practice_id, from_at, to_at):
 * each invoice issued in it (sign 1, by its issue instant) and each credit note issued in it (sign −1, by
 * its own instant, whenever its invoice was issued), with the invoice whose lines they carry and their
 * own totals (a credit note's are its invoice's negated). A draft is never in it; an invoice voided later
 * counts where it was issued, and its credit note where that was. `period` may have several rows (the
 * revenue report's ends of a period): each is read by its own index range.
 */
export const billingDocuments = `documents as (
       select d.* from period p cross join lateral (
         select i.id as invoice_id, i.id as document_id, i.issued_at as at, 1 as sign, i.subtotal as net, i.tax, i.total as gross
           from invoice i where i.practice_id = p.practice_id and i.issued_at >= p.from_at and i.issued_at < p.to_at
         union all
         select c.invoice_id, c.id, c.issued_at, -1, c.subtotal, c.tax, c.total
           from credit_note c where c.practice_id = p.practice_id and c.issued_at >= p.from_at and c.issued_at < p.to_at
       ) d
     )`;
