import { z } from 'zod';
import { instantOutput, pageInput, uuid } from './common.ts';
import { deliveryRequestStatuses } from './deliveries.ts';
import { sosStatuses } from './sos.ts';

/**
 * What an event says, by kind: ids and non-PHI fields only (a client fetches the rest through the reads,
 * which check access again). Each kind names the row it is about, and that row's type is its subject.
 */
export const notificationData = {
  'appointment.booked': z.object({ appointmentId: z.string() }),
  'appointment.rescheduled': z.object({ appointmentId: z.string() }),
  'appointment.cancelled': z.object({ appointmentId: z.string() }),
  'alert.raised': z.object({ alertId: z.string(), assessmentId: z.string() }),
  'delivery.status': z.object({ deliveryId: z.string(), status: z.enum(deliveryRequestStatuses) }),
  'reminder.due': z.object({ stepId: z.string(), day: z.string().describe("The day of the plan it reminds of (YYYY-MM-DD, the patient's zone)") }),
  /** A new message in a conversation the receiver is in: no body, no sender name (messages.list has them). */
  'message.received': z.object({ conversationId: z.string(), messageId: z.string() }),
  /** Its sender took a message back: a client showing it fetches it again (messages.list), now without its body. */
  'message.retracted': z.object({ conversationId: z.string(), messageId: z.string() }),
  'sos.raised': z.object({ sosId: z.string() }),
  'sos.changed': z.object({ sosId: z.string(), status: z.enum(sosStatuses) }),
  'sos.escalated': z.object({ sosId: z.string(), step: z.number().int() }),
} as const;
export type NotificationKind = keyof typeof notificationData;
export const notificationKinds = Object.keys(notificationData) as [NotificationKind, ...NotificationKind[]];
export type NotificationData<K extends NotificationKind> = z.infer<(typeof notificationData)[K]>;

const base = {
  id: z.string().describe('Also the event id on the stream: reconnect with it as `lastEventId`'),
  patientId: z.string().nullable().describe('The patient whose data it concerns, if any'),
  createdAt: instantOutput,
  readAt: instantOutput.nullable(),
};

const event = <K extends NotificationKind>(kind: K) => z.object({ ...base, kind: z.literal(kind), data: notificationData[kind] });

/** One event, told apart by `kind`. */
export const notificationOutput = z.discriminatedUnion('kind', [
  event('appointment.booked'),
  event('appointment.rescheduled'),
  event('appointment.cancelled'),
  event('alert.raised'),
  event('delivery.status'),
  event('reminder.due'),
  event('message.received'),
  event('message.retracted'),
  event('sos.raised'),
  event('sos.changed'),
  event('sos.escalated'),
]);
export type NotificationOutput = z.infer<typeof notificationOutput>;

export const listNotificationsInput = pageInput.extend({ unreadOnly: z.boolean().optional() });
export type ListNotificationsInput = z.infer<typeof listNotificationsInput>;
export const notificationListOutput = z.object({ items: z.array(notificationOutput), nextCursor: z.string().nullable(), unreadCount: z.number().int() });

export const MAX_MARK_READ_IDS = 100;
export const markNotificationsReadInput = z.union([z.object({ ids: z.array(uuid).min(1).max(MAX_MARK_READ_IDS) }), z.object({ all: z.literal(true) })]);
export type MarkNotificationsReadInput = z.infer<typeof markNotificationsReadInput>;
export const unreadCountOutput = z.object({ unreadCount: z.number().int() });

/** The stream's input: the id of the last event received, to resume after it (tRPC's client fills it in on a reconnect). */
export const notificationStreamInput = z.object({ lastEventId: uuid.nullish() }).default({});
export type NotificationStreamInput = z.infer<typeof notificationStreamInput>;

/** `notifications.practiceStream`'s input: resume after `lastEventId`, and only these kinds (all when absent). */
export const practiceStreamInput = z.object({ lastEventId: uuid.nullish(), kinds: z.array(z.enum(notificationKinds)).min(1).max(notificationKinds.length).optional() }).default({});
export type PracticeStreamInput = z.infer<typeof practiceStreamInput>;

const practiceBase = {
  id: z.string().describe('The event id on the stream (its first recipient row id): reconnect with it as `lastEventId`'),
  patientId: base.patientId,
  subject: z.object({ type: z.string(), id: z.string() }).describe('The row the event is about'),
  recipientIds: z.array(z.string()).describe('The users it was addressed to'),
  createdAt: instantOutput,
};

const practiceEvent = <K extends NotificationKind>(kind: K) => z.object({ ...practiceBase, kind: z.literal(kind), data: notificationData[kind] });

/** One event of the practice for an admin watching (`pams events tail`): once, with its recipients, ids and non-PHI fields only. */
export const practiceEventOutput = z.discriminatedUnion('kind', [
  practiceEvent('appointment.booked'),
  practiceEvent('appointment.rescheduled'),
  practiceEvent('appointment.cancelled'),
  practiceEvent('alert.raised'),
  practiceEvent('delivery.status'),
  practiceEvent('reminder.due'),
  practiceEvent('message.received'),
  practiceEvent('message.retracted'),
  practiceEvent('sos.raised'),
  practiceEvent('sos.changed'),
  practiceEvent('sos.escalated'),
]);
export type PracticeEventOutput = z.infer<typeof practiceEventOutput>;
