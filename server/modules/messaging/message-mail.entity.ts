import { defineEntity, p } from '@mikro-orm/core';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { Conversation } from './conversation.entity.ts';

/**
 * `pending` until sent; `read` when the recipient read the conversation before it was due; `skipped` when
 * their account or their access to the patient is gone.
 */
export const messageMailStatuses = ['pending', 'sent', 'read', 'skipped'] as const;

/**
 * "You have a new message" for one recipient of one conversation: the email outbox (server/mail-outbox.ts).
 * A send adds one, due after the delay, unless one is already pending for that pair (one partial unique
 * index), so a conversation mails a recipient once per period however many messages arrive in it.
 */
export const MessageMailSchema = defineEntity({
  name: 'MessageMail',
  properties: {
    id: p.uuid().primary(),
    practice: () => p.manyToOne(Practice),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    status: p.enum(messageMailStatuses),
    attempts: p.integer().default(0),
    /** When it is due: the delay after the message, or a retry's time after a failed send. */
    nextAttemptAt: p.datetime(),
    leaseUntil: p.datetime().nullable(),
    /** The last failure's error name or SMTP code; never the message (it may quote the address). */
    lastError: p.string().length(200).nullable(),
    sentAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [
    { properties: ['conversation', 'user', 'sentAt'] },
    { name: 'message_mail_pending_idx', expression: `create index "message_mail_pending_idx" on "message_mail" ("next_attempt_at") where "status" = 'pending'` },
    {
      name: 'message_mail_one_pending_idx',
      expression: `create unique index "message_mail_one_pending_idx" on "message_mail" ("conversation_id", "user_id") where "status" = 'pending'`,
    },
  ],
  filters: practiceFilter(),
});
export class MessageMail extends MessageMailSchema.class {}
MessageMailSchema.setClass(MessageMail);
