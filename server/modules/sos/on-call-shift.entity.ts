import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/**
 * One shift of the practice's weekly on-call roster, in wall-clock time of the practice's time zone (as
 * weekly hours are): an SOS raised during it goes to its clinician. The roster is replaced whole (on-call.service.ts).
 */
export const OnCallShiftSchema = defineEntity({
  name: 'OnCallShift',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice).index(),
    clinician: () => p.manyToOne(User).deleteRule('cascade'),
    /** ISO weekday: 1 is Monday, 7 Sunday. */
    weekday: p.smallint(),
    /** `HH:MM:SS`; 24:00:00 ends the day. */
    startTime: p.time(0),
    endTime: p.time(0),
  },
  checks: [
    { name: 'on_call_shift_weekday_check', expression: 'weekday >= 1 and weekday <= 7' },
    { name: 'on_call_shift_time_order_check', expression: 'start_time < end_time' },
  ],
  filters: practiceFilter(),
});
export class OnCallShift extends OnCallShiftSchema.class {}
OnCallShiftSchema.setClass(OnCallShift);
