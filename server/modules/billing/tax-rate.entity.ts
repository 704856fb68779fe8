import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import type { TaxComponent } from './line-tax.ts';

/**
 * A tax rate of the practice, with its components (GST 18% as CGST 9% + SGST 9%; a rate without a split has
 * one component of its own name), in parts per million. It never changes once made: invoice lines copy it,
 * and a new rate is a new row (the old one archived).
 */
export const TaxRateSchema = defineEntity({
  name: 'TaxRate',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    name: p.string().length(100),
    ratePpm: p.integer(),
    components: p.json<TaxComponent[]>(),
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['practice', 'name'] }],
  checks: [{ name: 'tax_rate_ppm_check', expression: 'rate_ppm >= 0 and rate_ppm <= 1000000' }],
  filters: practiceFilter(),
});
export class TaxRate extends TaxRateSchema.class {}
TaxRateSchema.setClass(TaxRate);
