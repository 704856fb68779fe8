/**
 * What the invoice and receipt PDFs show, as plain data: the renderer (invoice-pdf.ts) knows nothing of entities,
 * so the billing service maps an invoice, credit note or payment to one of these and hands it over.
 *
 * Amounts are integers of the currency's minor units (cents, paise; yen have none, dinars have 3 digits), as the
 * billing model stores them: the renderer formats them exactly and never adds them up itself, so every figure on
 * the page is one the model computed. Rates are integers in parts per million (18% = 180000, 8.875% = 88750).
 * Instants are ISO 8601 strings with an offset; calendar dates are `YYYY-MM-DD`.
 */

export interface PracticeParty {
  name: string;
  addressLines: string[];
  phone?: string;
  email?: string;
  /** The practice's tax registration as the law names it there: { label: 'GSTIN', value: '29ABCDE1234F1Z5' }, { label: 'VAT', … }. */
  taxId?: { label: string; value: string };
  /** IANA time zone in which the instants (issuedAt, paidAt) are shown as dates. */
  timeZone: string;
}

export interface InvoiceLine {
  description: string;
  serviceCode?: string;
  /** A whole count of the service (sessions, units). */
  quantity: number;
  unitPrice: number;
  /** The discount taken off this line, as a positive amount (0 when none). */
  discount: number;
  /** quantity × unitPrice − discount: the taxable amount of the line. */
  net: number;
  /** The rate applied to the line, by its display name ('GST 18%', 'Exempt'). */
  taxRateName: string;
  tax: number;
  /** net + tax. */
  total: number;
}

/** One component of one rate over the whole document: GST 18% is two rows, CGST 9% and SGST 9%, each on the same taxable amount. */
export interface TaxBreakdownRow {
  rateName: string;
  component: string;
  ratePpm: number;
  taxable: number;
  tax: number;
}

export interface InvoiceDocument {
  kind: 'invoice' | 'credit-note';
  /** The gapless number, as printed: 'INV-2026-000123', 'CN-2026-000007'. */
  number: string;
  issuedAt: string;
  /** Calendar date; absent on a credit note and on an invoice due on issue. */
  dueAt?: string;
  /** ISO 4217 code of the practice's currency. */
  currency: string;
  /** BCP 47 locale for numbers and dates; 'en' when absent. */
  locale?: string;
  practice: PracticeParty;
  billTo: { name: string; addressLines: string[]; onBehalfOf?: string };
  patient: { name: string; dateOfBirth?: string };
  lines: InvoiceLine[];
  taxBreakdown: TaxBreakdownRow[];
  subtotal: number;
  taxTotal: number;
  total: number;
  /** What has been paid against the invoice so far (shown on an invoice only). */
  amountPaid: number;
  /** total − amountPaid (shown on an invoice only, as the balance due). */
  balance: number;
  notes?: string;
  /** On a credit note: the number of the invoice it credits. */
  relatedNumber?: string;
}

export interface ReceiptDocument {
  number: string;
  paidAt: string;
  /** How it was paid, as shown: 'Card', 'Cash', 'UPI', 'Bank transfer'. */
  method: string;
  /** The payment's own reference (a card terminal's or bank's), if any. */
  reference?: string;
  amount: number;
  currency: string;
  locale?: string;
  /** How the amount was applied to invoices. */
  allocations: { invoiceNumber: string; amount: number }[];
  /** What is left on account after the allocations (amount − their sum), when there is any. */
  credit?: number;
  practice: PracticeParty;
  payer: { name: string; addressLines: string[] };
  notes?: string;
}
