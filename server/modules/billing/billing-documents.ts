/**
 * The issued billing documents, as rows (invoice_id, document_id, at, sign, net, tax, gross): each invoice
 * (sign 1, at its issue instant) and each credit note (sign −1, at its own instant, whenever its invoice was
 * issued), with the invoice whose lines they carry and their own totals (a credit note's are its invoice's
 * negated). `invoices` and `creditNotes` are the conditions on `i` and `c` that choose them; a draft is never
 * among them.
 */
export const documentRows = (invoices: string, creditNotes: string) => `
         select i.id as invoice_id, i.id as document_id, i.issued_at as at, 1 as sign, i.subtotal as net, i.tax, i.total as gross
           from invoice i where i.issued_at is not null and ${invoices}
         union all
         select c.invoice_id, c.id, c.issued_at, -1, c.subtotal, c.tax, c.total
           from credit_note c where ${creditNotes}`;

/**
 * The documents of a report's period, as one CTE over `period p` (practice_id, from_at, to_at): an invoice
 * voided later counts where it was issued, and its credit note where that was. `period` may have several
 * rows (the revenue report's ends of a period): each is read by its own index range.
 */
export const billingDocuments = `documents as (
       select d.* from period p cross join lateral (${documentRows(
         'i.practice_id = p.practice_id and i.issued_at >= p.from_at and i.issued_at < p.to_at',
         'c.practice_id = p.practice_id and c.issued_at >= p.from_at and c.issued_at < p.to_at',
       )}
       ) d
     )`;
