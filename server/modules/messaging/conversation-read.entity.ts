import { defineEntity, p } from '@mikro-orm/core';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { Conversation } from './conversation.entity.ts';

/**
 * How far one user has read one conversation: every message at or before (`lastReadAt`, `lastReadMessageId`)
 * in the messages' order. No row yet: nothing read.
 */
export const ConversationReadSchema = defineEntity({
  name: 'ConversationRead',
  properties: {
    conversation: () => p.manyToOne(Conversation).primary().deleteRule('cascade'),
    user: () => p.manyToOne(User).primary().deleteRule('cascade'),
    practice: () => p.manyToOne(Practice),
    lastReadAt: p.datetime(),
    lastReadMessageId: p.uuid(),
  },
  filters: practiceFilter(),
});
export class ConversationRead extends ConversationReadSchema.class {}
ConversationReadSchema.setClass(ConversationRead);
