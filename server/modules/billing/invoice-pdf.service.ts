import type { InvoicePdfInput, PdfFileOutput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { auditRead } from '../audit/audit.service.ts';
import { Practice } from '../practices/practice.entity.ts';
import { visibleInvoices } from './billing-access.ts';
import { CreditNote } from './credit-note.entity.ts';
import { pdfFileName, toInvoiceDocument } from './invoice-document-mapper.ts';
import { renderInvoicePdf } from './invoice-pdf.ts';
import { Invoice } from './invoice.entity.ts';

/**
 * The PDF of an issued invoice, or of the credit note that voided it, seen as `invoices.byId` sees the
 * invoice (billing-access.ts). A draft has no number and is not a document yet: refused, `invoice-not-issued`.
 * Audited as a read: it names the patient.
 */
export async function invoicePdf(ctx: AuthedCtx, { id, document }: InvoicePdfInput): Promise<PdfFileOutput> {
  const invoice = await ctx.em.findOne(Invoice, { $and: [{ id }, visibleInvoices(ctx.actor)] }, { populate: ['lines', 'patient'] });
  if (!invoice) throw notFound('Invoice');
  if (!invoice.number) throw new AppError('CONFLICT', 'A draft has no PDF: issue it first', 'invoice-not-issued');
  const creditNote = document === 'credit-note' ? await ctx.em.findOne(CreditNote, { invoice }) : null;
  if (document === 'credit-note' && !creditNote) throw notFound('Credit note');
  const practice = await ctx.em.findOneOrFail(Practice, ctx.actor.practiceId);
  const doc = toInvoiceDocument(invoice, practice, creditNote);
  const pdf = Buffer.concat(await renderInvoicePdf(doc).toArray());
  await auditRead(ctx, { action: 'invoice.pdf', entityType: 'invoice', entityId: id, detail: { patientId: invoice.patient.id, document } });
  return { fileName: pdfFileName(doc.number), contentType: 'application/pdf', contentBase64: pdf.toString('base64') };
}
