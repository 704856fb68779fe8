import { defineEntity, p } from '@mikro-orm/core';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Conversation } from './conversation.entity.ts';

/**
 * One message, immutable. Its body is stored only as ciphertext under the message's own data key, wrapped
 * by the key-encryption key `kekId`, with the message id as AAD (as a note's: server/envelope.ts). A
 * retraction keeps the row and the ciphertext; readers then see that it was retracted, not what it said.
 */
export const MessageSchema = defineEntity({
  name: 'Message',
  properties: {
    id: p.uuid().primary(),
    practice: () => p.manyToOne(Practice),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    senderId: p.uuid(),
    /** The sender's idempotency key: a retry with it answers this message. */
    clientMessageId: p.uuid().nullable(),
    kekId: p.string().length(64),
    wrappedKey: p.text(),
    bodyCiphertext: p.text(),
    /** Documents of the conversation's patient (checked when sent; each read of one checks access again). */
    attachmentIds: p.json<string[]>(),
    createdAt: p.datetime(),
    retractedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['conversation', 'createdAt', 'id'] }, { properties: ['kekId'] }],
  uniques: [{ properties: ['senderId', 'clientMessageId'] }],
  filters: practiceFilter(),
});
export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
