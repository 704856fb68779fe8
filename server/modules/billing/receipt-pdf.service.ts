import type { IdInput } from '../../../shared/schemas/common.ts';
import type { PaymentMethod, PdfFileOutput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { auditRead } from '../audit/audit.service.ts';
import { Practice } from '../practices/practice.entity.ts';
import { visiblePayments } from './billing-access.ts';
import type { ReceiptDocument } from './invoice-document.ts';
import { addressLines, pdfFileName, practiceParty } from './invoice-document-mapper.ts';
import { renderReceiptPdf } from './invoice-pdf.ts';
import { formatMoney } from './money-format.ts';
import { sum } from './money.ts';
import { Payment } from './payment.entity.ts';

const methodLabels: Record<PaymentMethod, string> = { cash: 'Cash', card: 'Card', 'bank-transfer': 'Bank transfer', insurer: 'Insurer', stripe: 'Card (online)' };

/**
 * A payment as the receipt shows it: what it settled of each invoice now (its allocations less their
 * reversals, an invoice voided since gone), the credit it left, and what of it was refunded, in the notes.
 */
function toReceiptDocument(p: Payment, practice: Practice): ReceiptDocument {
  const settled = new Map<string, number>();
  for (const a of p.allocations) settled.set(a.invoice.number!, sum([settled.get(a.invoice.number!) ?? 0, a.amount]));
  const payer = p.payerKind === 'organisation' ? p.payerOrganisation?.address : p.payerKind === 'guardian' ? p.payerGuardian?.address : p.patient.address;
  return {
    number: p.number,
    paidAt: p.receivedAt.toISOString(),
    method: methodLabels[p.method],
    ...(p.reference && { reference: p.reference }),
    amount: p.amount,
    currency: p.currency,
    allocations: [...settled].filter(([, amount]) => amount > 0).map(([invoiceNumber, amount]) => ({ invoiceNumber, amount })),
    ...(p.unapplied > 0 && { credit: p.unapplied }),
    practice: practiceParty(practice),
    payer: { name: p.payerName, addressLines: addressLines(payer) },
    ...(p.refunded > 0 && { notes: `Refunded since: ${formatMoney(p.refunded, p.currency)}.` }),
  };
}

/** The receipt of a payment as a PDF, for whoever may read the payment (payments.byId's rule). Audited as a read: it names the payer. */
export async function receiptPdf(ctx: AuthedCtx, { id }: IdInput): Promise<PdfFileOutput> {
  const payment = await ctx.em.findOne(Payment, { $and: [{ id }, visiblePayments(ctx.actor)] }, { populate: ['patient', 'payerGuardian', 'payerOrganisation', 'allocations.invoice', 'refunds'] });
  if (!payment) throw notFound('Payment');
  const practice = await ctx.em.findOneOrFail(Practice, ctx.actor.practiceId);
  const pdf = Buffer.concat(await renderReceiptPdf(toReceiptDocument(payment, practice)).toArray());
  await auditRead(ctx, { action: 'payment.receipt', entityType: 'payment', entityId: id, detail: { patientId: payment.patient.id } });
  return { fileName: pdfFileName(payment.number), contentType: 'application/pdf', contentBase64: pdf.toString('base64') };
}
