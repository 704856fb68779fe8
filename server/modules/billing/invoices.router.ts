import {
  addLineInput,
  createDraftInput,
  invoiceOutput,
  invoicePageOutput,
  invoicePdfInput,
  pdfFileOutput,
  listInvoicesInput,
  paymentLinkOutput,
  removeLineInput,
  voidInvoiceInput,
} from '../../../shared/schemas/billing.ts';
import { idInput } from '../../../shared/schemas/common.ts';
import { adminProcedure, authedProcedure, router } from '../../trpc.ts';
import { invoicePdf } from './invoice-pdf.service.ts';
import { addLine, createDraft, getInvoice, issueInvoice, listInvoices, removeLine, voidInvoice } from './invoices.service.ts';
import { createPaymentLink } from './online-payments.service.ts';

/**
 * Admins bill. Whoever sees a patient reads their invoices (billing-access.ts): the care team and admins
 * every one, the patient and their guardians the issued ones in the portal.
 */
export const invoicesRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listInvoicesInput)
    .output(invoicePageOutput)
    .query(({ ctx, input }) => listInvoices(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(invoiceOutput)
    .query(({ ctx, input }) => getInvoice(ctx, input)),
  /** The PDF of an issued invoice or of its credit note, as base64 in JSON (tens of KiB: at most 100 lines). */
  pdf: authedProcedure
    .meta({ phi: true })
    .input(invoicePdfInput)
    .output(pdfFileOutput)
    .query(({ ctx, input }) => invoicePdf(ctx, input)),
  createDraft: adminProcedure
    .meta({ phi: true })
    .input(createDraftInput)
    .output(invoiceOutput)
    .mutation(({ ctx, input }) => createDraft(ctx, input)),
  addLine: adminProcedure
    .meta({ phi: true })
    .input(addLineInput)
    .output(invoiceOutput)
    .mutation(({ ctx, input }) => addLine(ctx, input)),
  removeLine: adminProcedure
    .meta({ phi: true })
    .input(removeLineInput)
    .output(invoiceOutput)
    .mutation(({ ctx, input }) => removeLine(ctx, input)),
  issue: adminProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(invoiceOutput)
    .mutation(({ ctx, input }) => issueInvoice(ctx, input)),
  void: adminProcedure
    .meta({ phi: true })
    .input(voidInvoiceInput)
    .output(invoiceOutput)
    .mutation(({ ctx, input }) => voidInvoice(ctx, input)),
  /** A Stripe Checkout page for the balance, for whoever sees the invoice (the portal's "pay now"). */
  paymentLink: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(paymentLinkOutput)
    .mutation(({ ctx, input }) => createPaymentLink(ctx, input)),
});
