import { z } from 'zod';
import { instantOutput, isoDateTime, pageInput, pageOutput, text, uuid } from './common.ts';
import { address } from './patients.ts';

/**
 * Billing's wire shapes: the price list (services), tax rates, payers (organisations), charges and invoices.
 *
 * **Every amount is an integer count of the currency's minor units**, never a decimal or a float: cents of
 * EUR (1250 is €12.50), yen of JPY (1250 is ¥1,250), fils of KWD (1250 is 1.250 KWD). The practice's
 * currency (`practices.current`, ISO 4217) says which, and `currencyDigits` on an invoice how many decimals
 * it has. **Every tax rate is an integer of parts per million**: 18% is 180000, 8.875% is 88750.
 * The bounds below keep every product and sum the server works out within exact integers.
 */

/** The most a price, an unit price or a discount may be, in minor units: a PostgreSQL integer. */
export const MAX_AMOUNT = 2_147_483_647;
/** The most units of one service on one line. */
export const MAX_QUANTITY = 10_000;
/** The most lines one invoice holds: with the bounds above, its totals stay exact integers (below 2^53). */
export const MAX_INVOICE_LINES = 100;
/** 100%, in parts per million: no rate, and no sum of components, is higher. */
export const MAX_RATE_PPM = 1_000_000;

/** An amount of money: an integer of the currency's minor units, zero or more. */
export const minorUnits = z.number().int().min(0).max(MAX_AMOUNT).describe("An integer of the currency's minor units (cents for EUR)");
/** A tax rate: an integer of parts per million (18% is 180000), at most 100%. */
export const ratePpm = z.number().int().min(0).max(MAX_RATE_PPM).describe('Parts per million: 18% is 180000');
export const quantity = z.number().int().min(1).max(MAX_QUANTITY);

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));
/** An ISO 4217 currency code the runtime knows (its minor-unit digits come from Intl). */
export const currencyCode = text()
  .length(3)
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, e.g. EUR')
  .refine((code) => knownCurrencies.has(code), 'is not an ISO 4217 currency code');

/**
 * How invoice and credit-note numbers are written: literal letters, digits and `-/._#` or spaces, with
 * `{SEQ}` (the sequence number) or `{SEQ:n}` (zero-padded to n digits) exactly once, and optionally `{YYYY}`
 * or `{YY}`, the year of issue in the practice's time zone. With a year the sequence restarts each year.
 */
export const numberFormat = text()
  .max(40)
  .regex(/^(?:[A-Za-z0-9 ./_#-]|\{YYYY\}|\{YY\}|\{SEQ(?::[1-9])?\})+$/, 'must be letters, digits, - / . _ # and {YYYY}, {YY}, {SEQ} or {SEQ:n}')
  .refine((f) => (f.match(/\{SEQ(?::[1-9])?\}/g) ?? []).length === 1, 'must contain {SEQ} (or {SEQ:n}) exactly once');

/** The practice's billing settings, set through `practices.update`. */
export const billingSettingsInput = z.object({
  /** ISO 4217; refused once any invoice exists (amounts are minor units of it, never converted). */
  currency: currencyCode,
  /** Prices (and discounts) include tax: a line's tax is worked out of its amount, not added to it. */
  pricesIncludeTax: z.boolean(),
  invoiceNumberFormat: numberFormat,
  creditNoteNumberFormat: numberFormat,
  /** A visit marked completed creates a charge for its type's service. */
  chargeCompletedVisits: z.boolean(),
  /** An issued invoice is due this many days later. */
  paymentTermsDays: z.number().int().min(0).max(365),
});

/* Services (the price list) */

export const serviceCode = text()
  .trim()
  .min(1, 'is required')
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, . _ or -');

/** A service's tax category is a tax rate of the practice, or null: exempt from tax. */
export const createServiceInput = z.object({
  code: serviceCode,
  name: text().trim().min(1, 'is required').max(200),
  price: minorUnits,
  taxRateId: uuid.nullable().default(null).describe('The tax rate that applies; null: exempt'),
});
export type CreateServiceInput = z.infer<typeof createServiceInput>;

/** A new price applies to charges made after it; charges and invoices keep the price they were made with. */
export const updateServiceInput = z.object({
  id: uuid,
  code: serviceCode.optional(),
  name: text().trim().min(1, 'is required').max(200).optional(),
  price: minorUnits.optional(),
  taxRateId: uuid.nullable().optional(),
});
export type UpdateServiceInput = z.infer<typeof updateServiceInput>;

export const listServicesInput = z.object({ includeArchived: z.boolean().default(false) }).prefault({});
export type ListServicesInput = z.infer<typeof listServicesInput>;

/* Tax rates */

export const taxComponentInput = z.object({ name: text().trim().min(1, 'is required').max(50), ratePpm });

/**
 * A rate with its components (India's GST 18% as CGST 9% + SGST 9%); without components it is one of
 * its own name. The components' rates must add up to the rate. A rate never changes once made (invoices
 * name it): make a new one and archive the old.
 */
export const createTaxRateInput = z
  .object({
    name: text().trim().min(1, 'is required').max(100),
    ratePpm,
    components: z.array(taxComponentInput).min(1).max(4).optional(),
  })
  .refine((r) => !r.components || r.components.reduce((sum, c) => sum + c.ratePpm, 0) === r.ratePpm, { path: ['components'], message: "the components' rates must add up to the rate" })
  .refine((r) => !r.components || new Set(r.components.map((c) => c.name)).size === r.components.length, { path: ['components'], message: 'each component needs a name of its own' });
export type CreateTaxRateInput = z.infer<typeof createTaxRateInput>;

export const listTaxRatesInput = z.object({ includeArchived: z.boolean().default(false) }).prefault({});
export type ListTaxRatesInput = z.infer<typeof listTaxRatesInput>;

/* Organisations: who may pay on a patient's behalf */

export const organisationKinds = ['insurer', 'employer', 'other'] as const;

export const createOrganisationInput = z.object({
  name: text().trim().min(1, 'is required').max(200),
  kind: z.enum(organisationKinds),
  address: address.nullable().default(null),
  taxId: text().trim().min(1).max(50).nullable().default(null),
  email: text()
    .trim()
    .toLowerCase()
    .max(320)
    .pipe(z.email({ message: 'must be an email address' }))
    .nullable()
    .default(null),
});
export type CreateOrganisationInput = z.infer<typeof createOrganisationInput>;

export const updateOrganisationInput = z.object({
  id: uuid,
  name: text().trim().min(1, 'is required').max(200).optional(),
  kind: z.enum(organisationKinds).optional(),
  address: address.nullable().optional(),
  taxId: text().trim().min(1).max(50).nullable().optional(),
  email: text()
    .trim()
    .toLowerCase()
    .max(320)
    .pipe(z.email({ message: 'must be an email address' }))
    .nullable()
    .optional(),
});
export type UpdateOrganisationInput = z.infer<typeof updateOrganisationInput>;

export const listOrganisationsInput = z.object({ includeArchived: z.boolean().default(false) }).prefault({});
export type ListOrganisationsInput = z.infer<typeof listOrganisationsInput>;

/* Charges */

export const chargeStatuses = ['uninvoiced', 'invoiced', 'void'] as const;
export type ChargeStatus = (typeof chargeStatuses)[number];

/** A discount is an amount in minor units off the line's quantity × unit price (in the practice's price basis), never more than it. */
const discount = minorUnits.describe("An amount off quantity × unit price, in the currency's minor units; at most that product");

/** Staff charge a patient for a service at its current price; a clinician only for patients they see. */
export const createChargeInput = z.object({
  patientId: uuid,
  serviceId: uuid,
  quantity: quantity.default(1),
  discount: discount.default(0),
  /** Who provided it: a clinician's own charges are theirs; an admin may name one (or none). */
  clinicianId: uuid.optional(),
});
export type CreateChargeInput = z.infer<typeof createChargeInput>;

export const updateChargeInput = z.object({ id: uuid, quantity: quantity.optional(), discount: discount.optional() });
export type UpdateChargeInput = z.infer<typeof updateChargeInput>;

export const voidChargeInput = z.object({ id: uuid, reason: text().trim().min(1, 'is required').max(500) });
export type VoidChargeInput = z.infer<typeof voidChargeInput>;

export const listChargesInput = pageInput.extend({ patientId: uuid.optional(), status: z.enum(chargeStatuses).optional() });
export type ListChargesInput = z.infer<typeof listChargesInput>;

/* Invoices */

export const invoiceStatuses = ['draft', 'issued', 'partially-paid', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

/** Who the invoice is addressed to: the patient, a guardian of theirs (by the guardian's patient record), or an organisation. */
export const billTo = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patient') }),
  z.object({ kind: z.literal('guardian'), guardianPatientId: uuid }),
  z.object({ kind: z.literal('organisation'), organisationId: uuid }),
]);
export type BillTo = z.infer<typeof billTo>;

/** A draft for a patient: with all their uninvoiced charges as its lines (`fromCharges`), or empty, to build by hand. */
export const createDraftInput = z.object({
  patientId: uuid,
  billTo: billTo.default({ kind: 'patient' }),
  fromCharges: z.boolean().default(true),
});
export type CreateDraftInput = z.infer<typeof createDraftInput>;

/** A line from one of the patient's uninvoiced charges, or by hand from a service (at its current price). */
export const addLineInput = z.object({
  invoiceId: uuid,
  line: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('service'), serviceId: uuid, quantity: quantity.default(1), discount: discount.default(0) }),
    z.object({ kind: z.literal('charge'), chargeId: uuid }),
  ]),
});
export type AddLineInput = z.infer<typeof addLineInput>;

export const removeLineInput = z.object({ invoiceId: uuid, lineId: uuid });
export type RemoveLineInput = z.infer<typeof removeLineInput>;

/** An issued invoice is voided by a credit note; a draft is discarded (void, without a number). Either way with a reason. */
export const voidInvoiceInput = z.object({ id: uuid, reason: text().trim().min(1, 'is required').max(500) });
export type VoidInvoiceInput = z.infer<typeof voidInvoiceInput>;

export const listInvoicesInput = pageInput.extend({
  patientId: uuid.optional(),
  status: z.enum(invoiceStatuses).optional(),
  /** The issued invoice of this number (e.g. INV-2026-000123): a page of one, or of none. */
  number: text().trim().min(1).max(64).optional(),
});
export type ListInvoicesInput = z.infer<typeof listInvoicesInput>;

/** An issued invoice as a PDF, or (`credit-note`) the credit note that voided it. */
export const invoicePdfInput = z.object({ id: uuid, document: z.enum(['invoice', 'credit-note']).default('invoice') });
export type InvoicePdfInput = z.infer<typeof invoicePdfInput>;

export const statementInput = z.object({ patientId: uuid });
export type StatementInput = z.infer<typeof statementInput>;

/* Outputs */

const amount = z.number().int().describe("An integer of the currency's minor units");

export const taxRateOutput = z.object({
  id: z.string(),
  name: z.string(),
  ratePpm: z.number().int().describe('Parts per million: 18% is 180000'),
  components: z.array(z.object({ name: z.string(), ratePpm: z.number().int() })),
  active: z.boolean().describe('False once archived: no longer given to services'),
  createdAt: instantOutput,
});
export type TaxRateOutput = z.infer<typeof taxRateOutput>;
export const taxRateListOutput = z.array(taxRateOutput);

export const serviceOutput = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  price: amount,
  taxRateId: z.string().nullable().describe('Null: exempt from tax'),
  taxRateName: z.string().nullable(),
  active: z.boolean().describe('False once archived: no longer charged'),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type ServiceOutput = z.infer<typeof serviceOutput>;
export const serviceListOutput = z.array(serviceOutput);

export const organisationOutput = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(organisationKinds),
  address: address.nullable(),
  taxId: z.string().nullable(),
  email: z.string().nullable(),
  active: z.boolean(),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type OrganisationOutput = z.infer<typeof organisationOutput>;
export const organisationListOutput = z.array(organisationOutput);

export const chargeOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  serviceId: z.string(),
  serviceCode: z.string(),
  serviceName: z.string(),
  quantity: z.number().int(),
  unitPrice: amount.describe("The service's price when the charge was made"),
  discount: amount,
  amount: amount.describe('quantity × unitPrice − discount, in the price basis of the practice (with or without tax)'),
  clinicianId: z.string().nullable(),
  appointmentId: z.string().nullable().describe('The completed visit that made it, if it was made automatically'),
  status: z.enum(chargeStatuses),
  invoiceId: z.string().nullable(),
  voidReason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type ChargeOutput = z.infer<typeof chargeOutput>;
export const chargePageOutput = pageOutput(chargeOutput);

const taxAmountOutput = z.object({ name: z.string(), ratePpm: z.number().int(), tax: amount });

export const invoiceLineOutput = z.object({
  id: z.string(),
  chargeId: z.string().nullable(),
  serviceCode: z.string(),
  serviceName: z.string(),
  quantity: z.number().int(),
  unitPrice: amount,
  discount: amount,
  taxRateName: z.string().nullable().describe('Null: exempt'),
  taxComponents: z.array(taxAmountOutput).describe("The tax of each of the rate's components on this line"),
  net: amount,
  tax: amount,
  total: amount.describe('net + tax'),
});
export type InvoiceLineOutput = z.infer<typeof invoiceLineOutput>;

export const billToOutput = z.object({
  kind: z.enum(['patient', 'guardian', 'organisation']),
  guardianPatientId: z.string().nullable(),
  organisationId: z.string().nullable(),
  name: z.string().nullable().describe('As on the invoice when issued (null on a draft)'),
  address: address.nullable(),
});

export const creditNoteOutput = z.object({
  id: z.string(),
  number: z.string(),
  issuedAt: instantOutput,
  reason: z.string(),
  subtotal: amount.describe('Negative: the voided invoice, credited'),
  tax: amount,
  total: amount,
  taxSummary: z.array(taxAmountOutput),
});
export type CreditNoteOutput = z.infer<typeof creditNoteOutput>;

export const invoiceOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  number: z.string().nullable().describe('Given when issued; null on a draft (and on a discarded one)'),
  status: z.enum(invoiceStatuses),
  currency: z.string(),
  currencyDigits: z.number().int().describe("The currency's minor-unit digits: 2 for EUR, 0 for JPY"),
  pricesIncludeTax: z.boolean(),
  billTo: billToOutput,
  lines: z.array(invoiceLineOutput),
  subtotal: amount.describe("The sum of the lines' net"),
  tax: amount.describe("The sum of the lines' tax"),
  total: amount.describe("The sum of the lines' total"),
  taxSummary: z.array(taxAmountOutput).describe('The tax by component and rate, summed over the lines'),
  amountPaid: amount,
  balance: amount.describe('total − amountPaid'),
  issuedAt: instantOutput.nullable(),
  dueAt: instantOutput.nullable(),
  voidedAt: instantOutput.nullable(),
  voidReason: z.string().nullable(),
  creditNote: creditNoteOutput.nullable(),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type InvoiceOutput = z.infer<typeof invoiceOutput>;

/**
 * A PDF in JSON (tRPC answers JSON): its bytes in base64. An invoice holds at most 100 lines, so its PDF is
 * a few pages and tens of KiB (a third more as base64).
 */
/** A document as a PDF file: an invoice, a credit note or a receipt (each a page or a few, so tens of KiB as base64 in JSON). */
export const pdfFileOutput = z.object({
  fileName: z.string().describe('The document number, as a file name: INV-2026-000123.pdf'),
  contentType: z.literal('application/pdf'),
  contentBase64: z.string().describe('The PDF, base64'),
});
export type PdfFileOutput = z.infer<typeof pdfFileOutput>;
export const invoicePageOutput = pageOutput(invoiceOutput);

export const statementOutput = z.object({
  patientId: z.string(),
  currency: z.string(),
  currencyDigits: z.number().int(),
  entries: z.array(
    z.object({
      kind: z.enum(['invoice', 'credit-note', 'payment', 'refund']),
      id: z.string(),
      invoiceId: z.string().nullable().describe('The invoice, for an invoice or its credit note'),
      number: z.string().nullable().describe("The invoice's, credit note's or payment's receipt number; null for a refund"),
      at: instantOutput,
      dueAt: instantOutput.nullable(),
      total: amount.describe('Its effect on what is owed: positive for an invoice and a refund, negative for a credit note and a payment'),
      amountPaid: amount.describe("An invoice's amount paid; 0 for the others"),
    }),
  ),
  totalInvoiced: amount,
  totalCredited: amount.describe('Negative'),
  totalPaid: amount.describe('What payments have settled of the invoices'),
  totalPayments: amount.describe('Every payment received'),
  totalRefunds: amount.describe('Every refund given'),
  balance: amount.describe('What is owed: invoiced + credited − paid'),
  credit: amount.describe("The patient's credit: payments − refunds − what they settled. It reconciles: invoiced + credited − payments + refunds = balance − credit"),
});
export type StatementOutput = z.infer<typeof statementOutput>;

/* Payments */

/** How money came in; `stripe` only through the Stripe webhook (online payment of an invoice's link). */
export const paymentMethods = ['cash', 'card', 'bank-transfer', 'insurer', 'stripe'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];
/** The methods an admin records by hand. */
export const manualPaymentMethods = ['cash', 'card', 'bank-transfer', 'insurer'] as const;

/** The most invoices one payment is allocated to. */
export const MAX_ALLOCATIONS = 100;

const positiveAmount = minorUnits.min(1, 'must be at least 1');
/** A client-chosen key a retry repeats: the same payment (or refund) is answered again, not recorded twice. */
const externalId = text().trim().min(1).max(200).describe('Idempotency key: a retry with the same key records nothing new');

/**
 * A payment received for a patient: allocated to some of their issued invoices (each at most its
 * balance), the rest the patient's credit, usable later (`payments.applyCredit`).
 */
export const recordPaymentInput = z
  .object({
    patientId: uuid,
    amount: positiveAmount,
    method: z.enum(manualPaymentMethods),
    /** Who paid: the patient, a guardian of theirs or an organisation (an insurer). */
    payer: billTo.default({ kind: 'patient' }),
    receivedAt: isoDateTime.optional().describe('When it was received; now if not given'),
    reference: text().trim().min(1).max(200).nullable().default(null).describe("The card slip's, the transfer's or the insurer's reference"),
    externalId: externalId.optional(),
    allocations: z
      .array(z.object({ invoiceId: uuid, amount: positiveAmount }))
      .max(MAX_ALLOCATIONS)
      .default([])
      .refine((list) => new Set(list.map((a) => a.invoiceId)).size === list.length, 'names an invoice more than once'),
  })
  .refine((p) => p.allocations.reduce((total, a) => total + a.amount, 0) <= p.amount, { path: ['allocations'], message: 'allocate more than the payment' });
export type RecordPaymentInput = z.infer<typeof recordPaymentInput>;

/** A refund of (part of) a payment: from what of it is credit first, then off the invoices it settled (the newest first). */
export const refundPaymentInput = z.object({
  paymentId: uuid,
  amount: positiveAmount,
  reason: text().trim().min(1, 'is required').max(500),
  /** How the money went back; the payment's own method if not given. */
  method: z.enum(paymentMethods).optional(),
  refundedAt: isoDateTime.optional().describe('When it was refunded; now if not given'),
  reference: text().trim().min(1).max(200).nullable().default(null),
  externalId: externalId.optional(),
});
export type RefundPaymentInput = z.infer<typeof refundPaymentInput>;

/** The patient's credit on one of their invoices: `amount`, or as much as both the credit and the balance allow. */
export const applyCreditInput = z.object({ invoiceId: uuid, amount: positiveAmount.optional() });
export type ApplyCreditInput = z.infer<typeof applyCreditInput>;

export const listPaymentsInput = pageInput.extend({
  patientId: uuid.optional(),
  method: z.enum(paymentMethods).optional(),
  from: isoDateTime.optional().describe('Received at or after'),
  to: isoDateTime.optional().describe('Received before'),
});
export type ListPaymentsInput = z.infer<typeof listPaymentsInput>;

export const paymentAllocationOutput = z.object({
  id: z.string(),
  invoiceId: z.string(),
  invoiceNumber: z.string(),
  amount: amount.describe('Negative for a reversal'),
  reversal: z.enum(['refund', 'void']).nullable().describe('Why an allocation was taken back: a refund of the payment, or the invoice voided (to credit)'),
  refundId: z.string().nullable(),
  at: instantOutput,
});

export const refundOutput = z.object({
  id: z.string(),
  amount,
  reason: z.string(),
  method: z.enum(paymentMethods),
  refundedAt: instantOutput,
  reference: z.string().nullable(),
  recordedBy: z.string(),
});

/** A payment with everything its receipt shows: number, when, how, how much, the invoices it settled, and what is left as credit. */
export const paymentOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  number: z.string().describe("The receipt's number, from the practice's gapless receipt series"),
  method: z.enum(paymentMethods),
  amount,
  currency: z.string(),
  currencyDigits: z.number().int(),
  receivedAt: instantOutput,
  reference: z.string().nullable(),
  externalId: z.string().nullable(),
  payer: z.object({ kind: z.enum(['patient', 'guardian', 'organisation']), guardianPatientId: z.string().nullable(), organisationId: z.string().nullable(), name: z.string() }),
  allocated: amount.describe('What of it settles invoices now'),
  refunded: amount,
  credit: amount.describe("What of it is the patient's credit: amount − allocated − refunded"),
  allocations: z.array(paymentAllocationOutput),
  refunds: z.array(refundOutput),
  stripePaymentIntentId: z.string().nullable(),
  recordedBy: z.string().nullable().describe('Null for an online payment'),
  createdAt: instantOutput,
});
export type PaymentOutput = z.infer<typeof paymentOutput>;
export const paymentPageOutput = pageOutput(paymentOutput);

/** A Stripe Checkout page for an invoice's balance. */
export const paymentLinkOutput = z.object({ url: z.string(), sessionId: z.string(), amount, currency: z.string(), expiresAt: instantOutput });
export type PaymentLinkOutput = z.infer<typeof paymentLinkOutput>;
