import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Charge } from './charge.entity.ts';
import { Invoice } from './invoice.entity.ts';
import type { ComponentTax } from './line-tax.ts';
import { Service } from './service.entity.ts';

/**
 * One line of an invoice, a snapshot: the service's code and name, quantity, unit price and discount, the
 * tax rate's name and each component's rate and tax, and the net, tax and total worked out by line-tax.ts,
 * all as they were when the line was added. From a charge (`charge`) or by hand (none).
 */
export const InvoiceLineSchema = defineEntity({
  name: 'InvoiceLine',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    invoice: () => p.manyToOne(Invoice),
    position: p.integer(),
    charge: () => p.manyToOne(Charge).nullable().index(),
    service: () => p.manyToOne(Service),
    serviceCode: p.string().length(32),
    serviceName: p.string().length(200),
    quantity: p.integer(),
    unitPrice: p.integer(),
    discount: p.integer(),
    /** Null: exempt. */
    taxRateName: p.string().length(100).nullable(),
    taxComponents: p.json<ComponentTax[]>(),
    net: p.bigint('number'),
    tax: p.bigint('number'),
    total: p.bigint('number'),
  },
  uniques: [{ properties: ['invoice', 'position'] }],
  checks: [{ name: 'invoice_line_amounts_check', expression: 'net >= 0 and tax >= 0 and total = net + tax' }],
  filters: practiceFilter(),
});
export class InvoiceLine extends InvoiceLineSchema.class {}
InvoiceLineSchema.setClass(InvoiceLine);
