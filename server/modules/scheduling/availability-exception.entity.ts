import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/** Time off: a clinician is unavailable from `startsAt` to `endsAt`, whatever their weekly hours say. */
export const AvailabilityExceptionSchema = defineEntity({
  name: 'AvailabilityException',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    clinician: () => p.manyToOne(User),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    reason: p.string().length(200),
    createdBy: p.uuid(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['clinician', 'endsAt'] }],
  checks: [{ name: 'availability_exception_time_order_check', expression: 'starts_at < ends_at' }],
  filters: practiceFilter(),
});
export class AvailabilityException extends AvailabilityExceptionSchema.class {}
AvailabilityExceptionSchema.setClass(AvailabilityException);
