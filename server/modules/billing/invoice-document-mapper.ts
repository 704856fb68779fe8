import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import type { z } from 'zod';
import type { address } from '../../../shared/schemas/patients.ts';
import type { Patient } from '../patients/patient.entity.ts';
import type { Practice } from '../practices/practice.entity.ts';
import type { CreditNote } from './credit-note.entity.ts';
import type { InvoiceDocument, InvoiceLine as DocumentLine, PracticeParty, TaxBreakdownRow } from './invoice-document.ts';
import type { Invoice } from './invoice.entity.ts';
import { sum } from './money.ts';

/**
 * An issued invoice (or the credit note that voided it) as the PDF renderer's InvoiceDocument: plain data,
 * every figure one the billing model computed. The tax breakdown is the invoice's tax by component
 * (taxSummary) split by the rate each line carried, with each row's taxable amount: plain sums of the
 * lines, the same rule as the invoice's own totals (line-tax.ts), so its components add up to taxSummary's.
 */

const countries = new Intl.DisplayNames('en', { type: 'region' });

/** A document number as a file name: letters, digits, `.`, `_` and `-` kept, anything else `_`. */
export const pdfFileName = (number: string) => `${number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;

/** A structured address as printed: its lines, postal code and city, region, country (by name). */
export function addressLines(a: z.infer<typeof address> | null | undefined): string[] {
  if (!a) return [];
  return [...a.lines, [a.postalCode, a.city].filter(Boolean).join(' '), ...(a.region ? [a.region] : []), countries.of(a.country) ?? a.country];
}

/** An E.164 number as people write it internationally (+353 91 123 456). */
function displayPhone(e164: string): string {
  try {
    return parsePhoneNumberWithError(e164).formatInternational();
  } catch {
    return e164;
  }
}

export function practiceParty(p: Practice): PracticeParty {
  return {
    name: p.billingName ?? p.name,
    addressLines: p.billingAddressLines ?? [],
    ...(p.billingPhone && { phone: displayPhone(p.billingPhone) }),
    ...(p.billingEmail && { email: p.billingEmail }),
    ...(p.taxRegistration && { taxId: p.taxRegistration }),
    timeZone: p.timeZone,
  };
}

const fullName = (p: Pick<Patient, 'givenName' | 'familyName'>) => `${p.givenName} ${p.familyName}`;
/** Minus, without a -0. */
const negate = (n: number) => (n === 0 ? 0 : -n);

/** The tax of the lines by rate and component, in the order first met (taxSummary's order within a rate). */
function taxBreakdown(lines: Invoice['lines']): TaxBreakdownRow[] {
  const rows = new Map<string, TaxBreakdownRow>();
  for (const line of lines) {
    for (const c of line.taxComponents) {
      const key = JSON.stringify([line.taxRateName, c.name, c.ratePpm]);
      const seen = rows.get(key);
      rows.set(key, { rateName: line.taxRateName ?? '', component: c.name, ratePpm: c.ratePpm, taxable: sum([seen?.taxable ?? 0, line.net]), tax: sum([seen?.tax ?? 0, c.tax]) });
    }
  }
  return [...rows.values()];
}

/**
 * An issued invoice (lines and patient loaded) as a document; with its credit note, the credit note: the
 * invoice's lines and amounts negated, as the credit note's own totals are.
 */
export function toInvoiceDocument(invoice: Invoice, practice: Practice, creditNote: CreditNote | null = null): InvoiceDocument {
  if (!invoice.number || !invoice.issuedAt) throw new RangeError('only an issued invoice has a document');
  const patient = invoice.patient;
  const lines: DocumentLine[] = invoice.lines.getItems().map((l) => ({
    description: l.serviceName,
    serviceCode: l.serviceCode,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    discount: l.discount,
    net: l.net,
    taxRateName: l.taxRateName ?? 'Exempt',
    tax: l.tax,
    total: l.total,
  }));
  const common = {
    currency: invoice.currency,
    practice: practiceParty(practice),
    billTo: {
      name: invoice.billToName ?? fullName(patient),
      addressLines: addressLines(invoice.billToAddress),
      ...(invoice.billToKind !== 'patient' && { onBehalfOf: fullName(patient) }),
    },
    patient: { name: fullName(patient), dateOfBirth: patient.birthDate },
  };
  if (creditNote) {
    const breakdown = taxBreakdown(invoice.lines);
    return {
      ...common,
      kind: 'credit-note',
      number: creditNote.number,
      issuedAt: creditNote.issuedAt.toISOString(),
      lines: lines.map((l) => ({ ...l, unitPrice: negate(l.unitPrice), discount: negate(l.discount), net: negate(l.net), tax: negate(l.tax), total: negate(l.total) })),
      taxBreakdown: breakdown.map((r) => ({ ...r, taxable: negate(r.taxable), tax: negate(r.tax) })),
      subtotal: creditNote.subtotal,
      taxTotal: creditNote.tax,
      total: creditNote.total,
      amountPaid: 0,
      balance: creditNote.total,
      relatedNumber: invoice.number,
      notes: creditNote.reason,
    };
  }
  return {
    ...common,
    kind: 'invoice',
    number: invoice.number,
    issuedAt: invoice.issuedAt.toISOString(),
    ...(invoice.dueAt && { dueAt: dueDate(invoice.dueAt, practice.timeZone) }),
    lines,
    taxBreakdown: taxBreakdown(invoice.lines),
    subtotal: invoice.subtotal,
    taxTotal: invoice.tax,
    total: invoice.total,
    amountPaid: invoice.amountPaid,
    balance: invoice.balance,
  };
}

/** The calendar date an instant falls on in the practice's time zone (YYYY-MM-DD). */
function dueDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
