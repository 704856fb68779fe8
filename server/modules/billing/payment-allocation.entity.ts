import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Invoice } from './invoice.entity.ts';
import { Payment } from './payment.entity.ts';
import { Refund } from './refund.entity.ts';

/**
 * Part of a payment put on an invoice (positive), or taken back off it (negative, a `reversal`): by a
 * refund of the payment, or when the invoice is voided (the money becomes credit again). Never changed or
 * deleted: an invoice's amount paid is the sum of its allocations.
 */
export const PaymentAllocationSchema = defineEntity({
  name: 'PaymentAllocation',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    payment: () => p.manyToOne(Payment),
    invoice: () => p.manyToOne(Invoice),
    amount: p.bigint('number'),
    reversal: p.enum(['refund', 'void'] as const).nullable(),
    refund: () => p.manyToOne(Refund).nullable(),
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['invoice'] }, { properties: ['payment'] }],
  checks: [{ name: 'payment_allocation_amount_check', expression: "amount <> 0 and (amount > 0) = (reversal is null) and (refund_id is null or reversal = 'refund')" }],
  filters: practiceFilter(),
});
export class PaymentAllocation extends PaymentAllocationSchema.class {}
PaymentAllocationSchema.setClass(PaymentAllocation);
