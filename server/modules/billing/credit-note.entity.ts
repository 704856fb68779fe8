import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Invoice } from './invoice.entity.ts';
import type { ComponentTax } from './line-tax.ts';

/**
 * What voids an issued invoice: its own number (from the credit-note series), the invoice's amounts
 * negated, and the reason. The invoice stays as issued, marked void, and names it.
 */
export const CreditNoteSchema = defineEntity({
  name: 'CreditNote',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    /** At most one for an invoice. */
    invoice: () => p.manyToOne(Invoice).unique(),
    number: p.string().length(64),
    subtotal: p.bigint('number'),
    tax: p.bigint('number'),
    total: p.bigint('number'),
    taxSummary: p.json<ComponentTax[]>(),
    reason: p.string().length(500),
    issuedAt: p.datetime(),
    issuedBy: p.uuid(),
  },
  uniques: [{ properties: ['practice', 'number'] }],
  /** For the revenue and tax reports: credit notes by the period they were issued in. */
  indexes: [{ properties: ['practice', 'issuedAt'] }],
  checks: [{ name: 'credit_note_amounts_check', expression: 'subtotal <= 0 and tax <= 0 and total = subtotal + tax' }],
  filters: practiceFilter(),
});
export class CreditNote extends CreditNoteSchema.class {}
CreditNoteSchema.setClass(CreditNote);
