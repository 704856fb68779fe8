import { z } from 'zod';
import { instantOutput, pageInput, pageOutput, text, uuid } from './common.ts';

/** A message body: a chat message, not a letter (a letter is a document, attached). */
export const MAX_MESSAGE_LENGTH = 10_000;
export const messageBody = text()
  .trim()
  .min(1, 'is required')
  .max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH.toLocaleString('en')} characters`);

/** Documents of the conversation's patient a message may point at. */
export const MAX_MESSAGE_ATTACHMENTS = 10;
export const attachmentIds = z.array(uuid).max(MAX_MESSAGE_ATTACHMENTS).describe("Documents of the conversation's patient (documents.create), which the sender may read");

/** What a message says: the first message of `conversations.create` takes the same. */
export const messageContent = z.object({ body: messageBody, attachmentIds: attachmentIds.optional() });
export type MessageContent = z.infer<typeof messageContent>;

export const sendMessageInput = messageContent.extend({
  conversationId: uuid,
  clientMessageId: uuid.optional().describe('Chosen by the client: a retry with the same id answers the message already sent, and sends nothing more'),
});
export type SendMessageInput = z.infer<typeof sendMessageInput>;

/** Newest first: a chat opens on its latest messages and pages back. */
export const listMessagesInput = pageInput.extend({ conversationId: uuid });
export type ListMessagesInput = z.infer<typeof listMessagesInput>;

/** Everything up to this message (the caller's latest seen) is read. */
export const markMessagesReadInput = z.object({ conversationId: uuid, upToMessageId: uuid });
export type MarkMessagesReadInput = z.infer<typeof markMessagesReadInput>;

/* Outputs */
export const messageOutput = z.object({
  id: z.string(),
  conversationId: z.string(),
  senderId: z.string().describe('The id of the user who sent it'),
  body: z.string().nullable().describe('Null once retracted'),
  attachmentIds: z.array(z.string()).describe('Empty once retracted'),
  retracted: z.boolean(),
  retractedAt: instantOutput.nullable(),
  createdAt: instantOutput,
});
export type MessageOutput = z.infer<typeof messageOutput>;
export const messagePageOutput = pageOutput(messageOutput);
export const markMessagesReadOutput = z.object({ unreadCount: z.number().int().describe('What is still unread in the conversation: messages newer than the one named') });
