import { defineEntity, p } from '@mikro-orm/core';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/** How a day's revenue is split: whole documents, by the clinician of each line's charge, or by each line's service. */
export const revenueSplits = ['document', 'clinician', 'service'] as const;

/**
 * What a practice billed on one day of its time zone, kept by revenue-days.ts in the transaction that
 * issues each invoice or credit note, so that the revenue report sums days, not documents. Per split:
 * `document` has one row a day (key and name empty) with the documents' own totals; `clinician` a row
 * per clinician (key their id, empty for lines of no clinician) and `service` a row per service code and
 * name as billed, each with the sums of their lines and the documents counted once per row they have a
 * line in. Credit notes count negatively. Derived data: rebuilt whole when the practice's time zone changes.
 */
export const RevenueDaySchema = defineEntity({
  name: 'RevenueDay',
  properties: {
    practice: () => p.manyToOne(Practice).primary(),
    split: p.enum(revenueSplits).primary(),
    day: p.date().primary(),
    key: p.string().length(64).primary(),
    name: p.string().length(200).primary(),
    invoices: p.integer(),
    creditNotes: p.integer(),
    net: p.bigint('number'),
    tax: p.bigint('number'),
    gross: p.bigint('number'),
  },
  filters: practiceFilter(),
});
export class RevenueDay extends RevenueDaySchema.class {}
RevenueDaySchema.setClass(RevenueDay);
