import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/**
 * One stretch of a clinician's weekly hours, in wall-clock time of the practice's time zone, so that
 * 09:00 stays 09:00 when the clocks change. A week is replaced as a whole (see availability.service.ts),
 * which is where overlapping stretches are refused.
 */
export const AvailabilityRuleSchema = defineEntity({
  name: 'AvailabilityRule',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    clinician: () => p.manyToOne(User).index(),
    /** ISO weekday: 1 is Monday, 7 Sunday. */
    weekday: p.smallint(),
    /** `HH:MM:SS`; 24:00:00 ends the day. */
    startTime: p.time(0),
    endTime: p.time(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  checks: [
    { name: 'availability_rule_weekday_check', expression: 'weekday >= 1 and weekday <= 7' },
    { name: 'availability_rule_time_order_check', expression: 'start_time < end_time' },
  ],
  filters: practiceFilter(),
});
export class AvailabilityRule extends AvailabilityRuleSchema.class {}
AvailabilityRuleSchema.setClass(AvailabilityRule);
