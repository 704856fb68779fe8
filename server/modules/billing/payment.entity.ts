import { defineEntity, p, type Opt } from '@mikro-orm/core';
import { paymentMethods } from '../../../shared/schemas/billing.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Organisation } from './organisation.entity.ts';
import { PaymentAllocation } from './payment-allocation.entity.ts';
import { Refund } from './refund.entity.ts';

/**
 * Money received for a patient's account, in minor units of the practice's currency, with its receipt
 * number (the gapless `receipt` series, given in the recording transaction). `allocated` is what of it
 * settles invoices now (the sum of its allocations) and `refunded` what went back; the rest is the
 * patient's credit. PostgreSQL checks that the parts never exceed the whole. Never deleted.
 */
export const PaymentSchema = defineEntity({
  name: 'Payment',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    number: p.string().length(64),
    method: p.enum(paymentMethods),
    amount: p.bigint('number'),
    currency: p.string().length(3),
    allocated: p.bigint('number').default(0),
    refunded: p.bigint('number').default(0),
    payerKind: p.enum(['patient', 'guardian', 'organisation'] as const),
    payerGuardian: () => p.manyToOne(Patient).nullable(),
    payerOrganisation: () => p.manyToOne(Organisation).nullable(),
    /** Who paid, as they were named when it was recorded (for the receipt). */
    payerName: p.string().length(200),
    receivedAt: p.datetime(),
    reference: p.string().length(200).nullable(),
    /** The caller's idempotency key: one payment per key and practice. */
    externalId: p.string().length(200).nullable(),
    /** An online payment's Stripe event and payment intent: each records one payment, however often Stripe delivers it. */
    stripeEventId: p.string().length(255).nullable().unique(),
    stripePaymentIntentId: p.string().length(255).nullable().unique(),
    /** Null for an online payment (the webhook records it). */
    recordedBy: p.uuid().nullable(),
    createdAt: p.datetime(),
    allocations: () => p.oneToMany(PaymentAllocation).mappedBy('payment').orderBy({ createdAt: 'asc', id: 'asc' }),
    refunds: () => p.oneToMany(Refund).mappedBy('payment').orderBy({ refundedAt: 'asc', id: 'asc' }),
  },
  uniques: [{ properties: ['practice', 'number'] }, { properties: ['practice', 'externalId'] }],
  indexes: [{ properties: ['patient', 'receivedAt', 'id'] }, { properties: ['practice', 'receivedAt', 'id'] }],
  checks: [{ name: 'payment_amounts_check', expression: 'amount > 0 and allocated >= 0 and refunded >= 0 and allocated + refunded <= amount' }],
  filters: practiceFilter(),
});

export class Payment extends PaymentSchema.class {
  /** What of it is the patient's credit. */
  get unapplied(): Opt<number> {
    return this.amount - this.allocated - this.refunded;
  }
}
PaymentSchema.setClass(Payment);
