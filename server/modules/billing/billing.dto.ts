import type { ChargeOutput, CreditNoteOutput, InvoiceOutput, OrganisationOutput, PaymentOutput, ServiceOutput, TaxRateOutput } from '../../../shared/schemas/billing.ts';
import type { Charge } from './charge.entity.ts';
import type { CreditNote } from './credit-note.entity.ts';
import type { Invoice } from './invoice.entity.ts';
import { currencyDigits } from '../../../shared/money.ts';
import type { Organisation } from './organisation.entity.ts';
import type { Payment } from './payment.entity.ts';
import type { Service } from './service.entity.ts';
import type { TaxRate } from './tax-rate.entity.ts';

export function toTaxRateDto(r: TaxRate): TaxRateOutput {
  return { id: r.id, name: r.name, ratePpm: r.ratePpm, components: r.components, active: r.active, createdAt: r.createdAt.toISOString() };
}

/** A service with its tax rate loaded. */
export function toServiceDto(s: Service): ServiceOutput {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    price: s.price,
    taxRateId: s.taxRate?.id ?? null,
    taxRateName: s.taxRate?.name ?? null,
    active: s.active,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function toOrganisationDto(o: Organisation): OrganisationOutput {
  return {
    id: o.id,
    name: o.name,
    kind: o.kind,
    address: o.address ?? null,
    taxId: o.taxId ?? null,
    email: o.email ?? null,
    active: o.active,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

/** A charge with its service loaded. */
export function toChargeDto(c: Charge): ChargeOutput {
  return {
    id: c.id,
    patientId: c.patient.id,
    serviceId: c.service.id,
    serviceCode: c.service.code,
    serviceName: c.service.name,
    quantity: c.quantity,
    unitPrice: c.unitPrice,
    discount: c.discount,
    amount: c.quantity * c.unitPrice - c.discount,
    clinicianId: c.clinician?.id ?? null,
    appointmentId: c.appointment?.id ?? null,
    status: c.status,
    invoiceId: c.invoice?.id ?? null,
    voidReason: c.voidReason ?? null,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function toCreditNoteDto(n: CreditNote): CreditNoteOutput {
  return { id: n.id, number: n.number, issuedAt: n.issuedAt.toISOString(), reason: n.reason, subtotal: n.subtotal, tax: n.tax, total: n.total, taxSummary: n.taxSummary };
}

/** An invoice with its lines loaded, and its credit note if it has one. */
export function toInvoiceDto(i: Invoice, creditNote: CreditNote | null = null): InvoiceOutput {
  return {
    id: i.id,
    patientId: i.patient.id,
    number: i.number ?? null,
    status: i.status,
    currency: i.currency,
    currencyDigits: currencyDigits(i.currency),
    pricesIncludeTax: i.pricesIncludeTax,
    billTo: {
      kind: i.billToKind,
      guardianPatientId: i.billToGuardian?.id ?? null,
      organisationId: i.billToOrganisation?.id ?? null,
      name: i.billToName ?? null,
      address: i.billToAddress ?? null,
    },
    lines: i.lines.getItems().map((l) => ({
      id: l.id,
      chargeId: l.charge?.id ?? null,
      serviceCode: l.serviceCode,
      serviceName: l.serviceName,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.discount,
      taxRateName: l.taxRateName ?? null,
      taxComponents: l.taxComponents,
      net: l.net,
      tax: l.tax,
      total: l.total,
    })),
    subtotal: i.subtotal,
    tax: i.tax,
    total: i.total,
    taxSummary: i.taxSummary,
    amountPaid: i.amountPaid,
    balance: i.balance,
    issuedAt: i.issuedAt?.toISOString() ?? null,
    dueAt: i.dueAt?.toISOString() ?? null,
    voidedAt: i.voidedAt?.toISOString() ?? null,
    voidReason: i.voidReason ?? null,
    creditNote: creditNote ? toCreditNoteDto(creditNote) : null,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}

/** A payment with its allocations (and their invoices) and refunds loaded: everything its receipt shows. */
export function toPaymentDto(p: Payment): PaymentOutput {
  return {
    id: p.id,
    patientId: p.patient.id,
    number: p.number,
    method: p.method,
    amount: p.amount,
    currency: p.currency,
    currencyDigits: currencyDigits(p.currency),
    receivedAt: p.receivedAt.toISOString(),
    reference: p.reference ?? null,
    externalId: p.externalId ?? null,
    payer: { kind: p.payerKind, guardianPatientId: p.payerGuardian?.id ?? null, organisationId: p.payerOrganisation?.id ?? null, name: p.payerName },
    allocated: p.allocated,
    refunded: p.refunded,
    credit: p.unapplied,
    allocations: p.allocations.getItems().map((a) => ({
      id: a.id,
      invoiceId: a.invoice.id,
      invoiceNumber: a.invoice.number!,
      amount: a.amount,
      reversal: a.reversal ?? null,
      refundId: a.refund?.id ?? null,
      at: a.createdAt.toISOString(),
    })),
    refunds: p.refunds.getItems().map((r) => ({
      id: r.id,
      amount: r.amount,
      reason: r.reason,
      method: r.method,
      refundedAt: r.refundedAt.toISOString(),
      reference: r.reference ?? null,
      recordedBy: r.recordedBy,
    })),
    stripePaymentIntentId: p.stripePaymentIntentId ?? null,
    recordedBy: p.recordedBy ?? null,
    createdAt: p.createdAt.toISOString(),
  };
}
