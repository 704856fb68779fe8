import { applyCreditInput, invoiceOutput, listPaymentsInput, paymentOutput, paymentPageOutput, pdfFileOutput, recordPaymentInput, refundPaymentInput } from '../../../shared/schemas/billing.ts';
import { idInput } from '../../../shared/schemas/common.ts';
import { adminProcedure, authedProcedure, router } from '../../trpc.ts';
import { applyCredit, getPayment, listPayments, recordPayment, refundPayment } from './payments.service.ts';
import { receiptPdf } from './receipt-pdf.service.ts';

/**
 * Admins record payments, refunds and credit applied. Whoever sees a patient reads their payments
 * (billing-access.ts): admins and the care team, the patient and their guardians in the portal.
 * `byId` is the receipt's data: number, date, method, amount, the invoices it settled and the credit left;
 * `receipt` the receipt as a PDF.
 */
export const paymentsRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listPaymentsInput)
    .output(paymentPageOutput)
    .query(({ ctx, input }) => listPayments(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(paymentOutput)
    .query(({ ctx, input }) => getPayment(ctx, input)),
  receipt: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(pdfFileOutput)
    .query(({ ctx, input }) => receiptPdf(ctx, input)),
  record: adminProcedure
    .meta({ phi: true })
    .input(recordPaymentInput)
    .output(paymentOutput)
    .mutation(({ ctx, input }) => recordPayment(ctx, input)),
  refund: adminProcedure
    .meta({ phi: true })
    .input(refundPaymentInput)
    .output(paymentOutput)
    .mutation(({ ctx, input }) => refundPayment(ctx, input)),
  applyCredit: adminProcedure
    .meta({ phi: true })
    .input(applyCreditInput)
    .output(invoiceOutput)
    .mutation(({ ctx, input }) => applyCredit(ctx, input)),
});
