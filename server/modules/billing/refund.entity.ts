import { defineEntity, p } from '@mikro-orm/core';
import { paymentMethods } from '../../../shared/schemas/billing.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Payment } from './payment.entity.ts';

/** Money given back of a payment, with the reason; never more than the payment's unrefunded amount (payment_amounts_check). */
export const RefundSchema = defineEntity({
  name: 'Refund',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    payment: () => p.manyToOne(Payment),
    amount: p.bigint('number'),
    method: p.enum(paymentMethods),
    reason: p.string().length(500),
    refundedAt: p.datetime(),
    reference: p.string().length(200).nullable(),
    externalId: p.string().length(200).nullable(),
    recordedBy: p.uuid(),
    createdAt: p.datetime(),
  },
  uniques: [{ properties: ['practice', 'externalId'] }],
  indexes: [{ properties: ['payment'] }],
  checks: [{ name: 'refund_amount_check', expression: 'amount > 0' }],
  filters: practiceFilter(),
});
export class Refund extends RefundSchema.class {}
RefundSchema.setClass(Refund);
