import { defineEntity, p } from '@mikro-orm/core';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

export const billingSeries = ['invoice', 'credit-note', 'receipt'] as const;
export type BillingSeries = (typeof billingSeries)[number];

/**
 * The last number given in a practice's series (invoices, credit notes, receipts), per year when the number's
 * format has one (`year` 0 when it has none). Only numbering.ts writes it, in the issuing transaction.
 */
export const BillingSequenceSchema = defineEntity({
  name: 'BillingSequence',
  properties: {
    practice: () => p.manyToOne(Practice).primary(),
    series: p.enum(billingSeries).primary(),
    year: p.smallint().primary(),
    lastValue: p.integer(),
  },
  filters: practiceFilter(),
});
export class BillingSequence extends BillingSequenceSchema.class {}
BillingSequenceSchema.setClass(BillingSequence);
