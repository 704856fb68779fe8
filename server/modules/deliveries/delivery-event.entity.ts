import { defineEntity, p } from '@mikro-orm/core';
import { deliveryRequestStatuses } from '../../../shared/schemas/deliveries.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { DeliveryRequest } from './delivery-request.entity.ts';

export const deliveryMailStatuses = ['pending', 'sent', 'skipped'] as const;

/**
 * One status of a delivery request, when and by whom: its history. It is also the email that tells the
 * requester of the change, sent by a job after the change committed (deliveries.jobs.ts): `mailStatus`
 * pending until sent (a failed send waits until `nextMailAt`), skipped when the requester's account is gone.
 */
export const DeliveryEventSchema = defineEntity({
  name: 'DeliveryEvent',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    delivery: () => p.manyToOne(DeliveryRequest).deleteRule('cascade'),
    status: p.enum(deliveryRequestStatuses),
    at: p.datetime(),
    by: p.uuid(),
    reason: p.text().nullable(),
    mailStatus: p.enum(deliveryMailStatuses),
    mailAttempts: p.integer().default(0),
    nextMailAt: p.datetime().nullable(),
    leaseUntil: p.datetime().nullable(),
    /** The last failure's error name or SMTP code; never the message (it may quote the address). */
    lastMailError: p.string().length(200).nullable(),
    mailedAt: p.datetime().nullable(),
  },
  indexes: [
    { properties: ['delivery', 'at'] },
    { name: 'delivery_event_mail_pending_idx', expression: `create index "delivery_event_mail_pending_idx" on "delivery_event" ("next_mail_at") where "mail_status" = 'pending'` },
  ],
  filters: practiceFilter(),
});
export class DeliveryEvent extends DeliveryEventSchema.class {}
DeliveryEventSchema.setClass(DeliveryEvent);
