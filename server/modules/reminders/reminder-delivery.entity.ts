import { defineEntity, p } from '@mikro-orm/core';
import { deliveryStatuses, reminderChannels } from '../../../shared/schemas/steps.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Step } from '../steps/step.entity.ts';

/**
 * One reminder of one plan item for one local day on one channel, and its outcome: the delivery log.
 * The unique (step, day, channel) key is what makes a reminder exactly-once per day, however many
 * workers race to send it: only the worker whose insert lands sends.
 */
export const ReminderDeliverySchema = defineEntity({
  name: 'ReminderDelivery',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    step: () => p.manyToOne(Step),
    /** The patient's calendar day the reminder is for. */
    localDay: p.date(),
    channel: p.enum(reminderChannels),
    status: p.enum(deliveryStatuses),
    attempts: p.integer().default(0),
    /** The last failure's error name or SMTP code; never the message (it may quote the address). */
    lastError: p.string().length(200).nullable(),
    nextAttemptAt: p.datetime().nullable(),
    leaseUntil: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['step', 'localDay', 'channel'] }],
  indexes: [
    { properties: ['patient', 'createdAt', 'id'] },
    /** The reminders report reads a practice's deliveries by when they were created. */
    { properties: ['practice', 'createdAt'] },
    { name: 'reminder_delivery_pending_idx', expression: `create index "reminder_delivery_pending_idx" on "reminder_delivery" ("next_attempt_at") where "status" = 'pending'` },
  ],
  filters: practiceFilter(),
});
export class ReminderDelivery extends ReminderDeliverySchema.class {}
ReminderDeliverySchema.setClass(ReminderDelivery);
