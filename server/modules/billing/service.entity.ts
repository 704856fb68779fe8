import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { TaxRate } from './tax-rate.entity.ts';

/**
 * A service of the practice's price list. Its price is in the currency's minor units, with or without tax
 * as the practice's `pricesIncludeTax` says; its tax category is a tax rate, or none (exempt). Archived
 * services stay (charges point at them) but are no longer charged.
 */
export const ServiceSchema = defineEntity({
  name: 'Service',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    code: p.string().length(32),
    name: p.string().length(200),
    price: p.integer(),
    /** Null: exempt from tax. */
    taxRate: () => p.manyToOne(TaxRate).nullable(),
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['practice', 'code'] }],
  checks: [{ name: 'service_price_check', expression: 'price >= 0' }],
  filters: practiceFilter(),
});
export class Service extends ServiceSchema.class {}
ServiceSchema.setClass(Service);
