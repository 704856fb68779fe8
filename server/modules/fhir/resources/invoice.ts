import type { Invoice, InvoiceLineItem, InvoiceLineItemPriceComponent, Organization, Patient, Reference } from '@medplum/fhirtypes';
import type { InvoiceStatus } from '../../../../shared/schemas/billing.ts';
import type { ComponentTax } from '../../billing/line-tax.ts';
import { compact, concept, type Exported, type FhirSource, instant, patientRef } from '../fhir-source.ts';
import { fhirMoney, pamsSystem, ppmFactor } from './billing-money.ts';

type Line = { chargeId: string | null; code: string; name: string; quantity: number; unitPrice: number; discount: number; taxComponents: ComponentTax[] };

type Row = {
  id: string;
  practice_id: string;
  patient_id: string;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  bill_to_kind: 'patient' | 'guardian' | 'organisation';
  bill_to_guardian_id: string | null;
  bill_to_organisation_id: string | null;
  bill_to_name: string | null;
  subtotal: string;
  total: string;
  issued_at: string | null;
  void_reason: string | null;
  created_at: string;
  updated_at: string;
  lines: Line[] | null;
};

/** Paid in part is still issued (FHIR has no such state); paid in full is balanced; void (credited, or a discarded draft) is cancelled. */
const statuses: Record<InvoiceStatus, Invoice['status']> = { draft: 'draft', issued: 'issued', 'partially-paid': 'issued', paid: 'balanced', void: 'cancelled' };

/** Who it is addressed to: the patient, a guardian (by their own patient record: a guardian in PAMS is a patient of the practice), or a payer. */
function recipient(r: Row): Reference<Organization | Patient> {
  if (r.bill_to_kind === 'organisation') return compact({ reference: `Organization/${r.bill_to_organisation_id}`, display: r.bill_to_name ?? undefined });
  return compact({ reference: `Patient/${r.bill_to_kind === 'guardian' ? r.bill_to_guardian_id : r.patient_id}`, display: r.bill_to_name ?? undefined });
}

/**
 * A line as FHIR prices it: the charge it bills (a ChargeItem; a line added by hand names its service
 * instead), and its price components, each the amount it adds: base (quantity × unit price, the factor
 * the quantity), discount (taken off), and the tax of each of the rate's components (type tax, coded by
 * component name, the factor its rate). base − discount + taxes is the line's total.
 */
function lineItem(practiceId: string, currency: string, l: Line, sequence: number): InvoiceLineItem {
  const base: InvoiceLineItemPriceComponent = { type: 'base', factor: l.quantity, amount: fhirMoney(String(BigInt(l.quantity) * BigInt(l.unitPrice)), currency) };
  const discount: InvoiceLineItemPriceComponent[] = l.discount ? [{ type: 'discount', amount: fhirMoney(l.discount, currency) }] : [];
  const taxes = l.taxComponents.map(
    (c): InvoiceLineItemPriceComponent => ({
      type: 'tax',
      code: concept(c.name, { system: pamsSystem(practiceId, 'tax-component'), code: c.name }),
      factor: ppmFactor(c.ratePpm),
      amount: fhirMoney(c.tax, currency),
    }),
  );
  const service = concept(l.name, { system: pamsSystem(practiceId, 'service'), code: l.code, display: l.name });
  return compact({
    sequence,
    chargeItemReference: l.chargeId ? { reference: `ChargeItem/${l.chargeId}` } : undefined,
    chargeItemCodeableConcept: l.chargeId ? undefined : service,
    priceComponent: [base, ...discount, ...taxes],
  });
}

/**
 * An invoice as FHIR's Invoice: its number as identifier, status, patient, recipient, date (issued, or
 * made for a draft), lines with their price components, and totalNet (the subtotal) and totalGross (the
 * total), all Money in major units (billing-money.ts).
 */
export const invoiceSource: FhirSource<Row> = {
  resourceType: 'Invoice',
  columns: `t.id, t.practice_id, t.patient_id, t.number, t.status, t.currency, t.bill_to_kind, t.bill_to_guardian_id, t.bill_to_organisation_id, t.bill_to_name,
    t.subtotal, t.total, t.issued_at, t.void_reason, t.created_at, t.updated_at,
    (select json_agg(json_build_object('chargeId', l.charge_id, 'code', l.service_code, 'name', l.service_name, 'quantity', l.quantity, 'unitPrice', l.unit_price,
      'discount', l.discount, 'taxComponents', l.tax_components) order by l.position) from invoice_line l where l.invoice_id = t.id) as lines`,
  from: 'invoice t where t.practice_id = ?',
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Exported<Invoice> =>
    compact({
      resourceType: 'Invoice',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      identifier: r.number ? [{ system: pamsSystem(r.practice_id, 'invoice-number'), value: r.number }] : undefined,
      status: statuses[r.status],
      cancelledReason: r.status === 'void' ? (r.void_reason ?? undefined) : undefined,
      subject: patientRef(r.patient_id),
      recipient: recipient(r),
      date: instant(r.issued_at ?? r.created_at),
      lineItem: (r.lines ?? []).map((l, i) => lineItem(r.practice_id, r.currency, l, i + 1)),
      totalNet: fhirMoney(r.subtotal, r.currency),
      totalGross: fhirMoney(r.total, r.currency),
    }),
};
