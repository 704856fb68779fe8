import { defineEntity, p } from '@mikro-orm/core';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/**
 * One event for one recipient (fan-out at write): the stream, the list and the unread count all read
 * these rows. Its id (UUID v7, made when it is published) is the stream's event id, so `id > lastEventId`
 * is what a reconnecting client missed. A trigger (the migration's `notification_announce`) NOTIFYs
 * `pams_notifications` with `user:id` pairs when rows are inserted, which PostgreSQL sends on commit.
 */
export const NotificationSchema = defineEntity({
  name: 'Notification',
  properties: {
    id: p.uuid().primary(),
    practice: () => p.manyToOne(Practice),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    kind: p.string().length(64),
    /** Whose data it concerns: access to this patient is checked again whenever the row is delivered or listed. */
    patient: () => p.manyToOne(Patient).nullable().deleteRule('cascade'),
    subjectType: p.string().length(32),
    subjectId: p.uuid(),
    /** Ids and non-PHI fields only (shared/schemas/notifications.ts, by kind). */
    data: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    readAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['user', 'id'] }, { properties: ['createdAt'] }],
  filters: practiceFilter(),
});
export class Notification extends NotificationSchema.class {}
NotificationSchema.setClass(Notification);
