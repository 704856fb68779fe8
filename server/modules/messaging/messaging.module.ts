import { defineModule } from '../../module-manifest.ts';
import { ConversationRead } from './conversation-read.entity.ts';
import { Conversation } from './conversation.entity.ts';
import { conversationsRouter } from './conversations.router.ts';
import { MessageMail } from './message-mail.entity.ts';
import { Message } from './message.entity.ts';
import { messagesRouter } from './messages.router.ts';
import { defineMessagingJobs, scheduleMessagingJobs } from './messaging.jobs.ts';

export const messagingModule = defineModule({
  routers: { conversations: conversationsRouter, messages: messagesRouter },
  entities: [Conversation, Message, ConversationRead, MessageMail],
  defineJobs: defineMessagingJobs,
  scheduleJobs: (agenda) => scheduleMessagingJobs(agenda),
});
