import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Assessment } from './assessment.entity.ts';

/** Raised by a scoring flag (PHQ-9 item 9, say) when an assessment is submitted; the care team acknowledges it. */
export const AlertSchema = defineEntity({
  name: 'Alert',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    assessment: () => p.manyToOne(Assessment),
    code: p.string().length(64),
    label: p.string().length(500),
    createdAt: p.datetime().onCreate(() => new Date()),
    acknowledgedBy: p.uuid().nullable(),
    acknowledgedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['practice', 'acknowledgedAt', 'createdAt'] }],
  filters: practiceFilter(),
});
export class Alert extends AlertSchema.class {}
AlertSchema.setClass(Alert);
