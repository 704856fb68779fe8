import { defineEntity, p } from '@mikro-orm/core';
import type { z } from 'zod';
import { invoiceStatuses, type InvoiceStatus } from '../../../shared/schemas/billing.ts';
import type { address } from '../../../shared/schemas/patients.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { InvoiceLine } from './invoice-line.entity.ts';
import { invoiceTotals, type ComponentTax } from './line-tax.ts';
import { sum } from './money.ts';
import { Organisation } from './organisation.entity.ts';

/**
 * An invoice to a patient, addressed to them, a guardian or an organisation. A `draft` is edited freely
 * and has no number; `issued` freezes it (number, issuedAt, dueAt, and who it is addressed to, copied);
 * payments move it to `partially-paid` and `paid` (`settle`); `void` is a discarded draft, or an issued
 * invoice with its credit note (credit-note.entity.ts). Never deleted, never edited once issued. Its totals are the sums of its
 * lines (line-tax.ts), in minor units of `currency`, and PostgreSQL checks they add up.
 */
export const InvoiceSchema = defineEntity({
  name: 'Invoice',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    number: p.string().length(64).nullable(),
    status: p.enum(invoiceStatuses).default('draft'),
    currency: p.string().length(3),
    /** The practice's price basis when the draft was made: every line of it is worked out on that basis. */
    pricesIncludeTax: p.boolean(),
    billToKind: p.enum(['patient', 'guardian', 'organisation'] as const),
    /** The guardian's own patient record, for `guardian`. */
    billToGuardian: () => p.manyToOne(Patient).nullable(),
    billToOrganisation: () => p.manyToOne(Organisation).nullable(),
    /** Who it was addressed to when issued. */
    billToName: p.string().length(200).nullable(),
    billToAddress: p.json<z.infer<typeof address>>().nullable(),
    subtotal: p.bigint('number').default(0),
    tax: p.bigint('number').default(0),
    total: p.bigint('number').default(0),
    taxSummary: p.json<ComponentTax[]>(),
    amountPaid: p.bigint('number').default(0),
    balance: p.bigint('number').default(0),
    issuedAt: p.datetime().nullable(),
    issuedBy: p.uuid().nullable(),
    dueAt: p.datetime().nullable(),
    voidedAt: p.datetime().nullable(),
    voidedBy: p.uuid().nullable(),
    voidReason: p.string().length(500).nullable(),
    createdBy: p.uuid(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    /** A line taken off a draft goes (orphan removal); an issued invoice's never change. */
    lines: () => p.oneToMany(InvoiceLine).mappedBy('invoice').orderBy({ position: 'asc' }).orphanRemoval(),
  },
  uniques: [{ properties: ['practice', 'number'] }],
  indexes: [
    { properties: ['patient', 'createdAt', 'id'] },
    { properties: ['practice', 'createdAt', 'id'] },
    // For the revenue and tax reports (issued in a period) and receivables ageing (open ones), read from the index alone.
    {
      name: 'invoice_issued_index',
      expression: 'create index "invoice_issued_index" on "invoice" ("practice_id", "issued_at") include ("subtotal", "tax", "total") where "issued_at" is not null',
    },
    {
      name: 'invoice_open_index',
      expression: `create index "invoice_open_index" on "invoice" ("practice_id", "due_at") include ("balance", "issued_at", "bill_to_kind", "bill_to_organisation_id") where "status" in ('issued', 'partially-paid')`,
    },
  ],
  checks: [
    { name: 'invoice_totals_check', expression: 'total = subtotal + tax and balance = total - amount_paid and amount_paid >= 0' },
    { name: 'invoice_number_check', expression: '(number is null) = (issued_at is null)' },
  ],
  filters: practiceFilter(),
});

export class Invoice extends InvoiceSchema.class {
  /** A draft's lines may change; nothing else of an issued or void invoice may. */
  assertDraft(): void {
    if (this.status !== 'draft') throw new AppError('CONFLICT', `A ${this.status} invoice cannot be edited`, 'invoice-not-draft');
  }

  /** Its totals, as the sums of its lines (loaded) as they now are. */
  retotal(): void {
    const totals = invoiceTotals(this.lines.getItems().map((l) => ({ net: l.net, tax: l.tax, total: l.total, components: l.taxComponents })));
    Object.assign(this, { subtotal: totals.subtotal, tax: totals.tax, total: totals.total, taxSummary: totals.taxSummary, balance: sum([totals.total, -this.amountPaid]) });
  }

  /**
   * What has been paid of an issued invoice so far, and the status that follows from it: the seam the
   * payments round calls (with the sum of the payments it records, refunds taken off).
   */
  settle(amountPaid: number): void {
    const open: readonly InvoiceStatus[] = ['issued', 'partially-paid', 'paid'];
    if (!open.includes(this.status)) throw new AppError('CONFLICT', `A ${this.status} invoice takes no payment`, 'invalid-transition');
    if (!Number.isSafeInteger(amountPaid) || amountPaid < 0 || amountPaid > this.total) throw new RangeError('an amount paid outside 0 to the total');
    this.amountPaid = amountPaid;
    this.balance = sum([this.total, -amountPaid]);
    this.status = amountPaid === 0 ? 'issued' : this.balance === 0 ? 'paid' : 'partially-paid';
  }
}
InvoiceSchema.setClass(Invoice);
