import { z } from 'zod';
import { instantOutput, pageInput, pageOutput, uuid } from './common.ts';
import { messageContent, messageOutput } from './messages.ts';

/**
 * `care-team`: the patient (or a guardian) with the care team. `staff`: clinicians about a patient,
 * never shown in the portal.
 */
export const conversationKinds = ['care-team', 'staff'] as const;
export type ConversationKind = (typeof conversationKinds)[number];

export const createConversationInput = z.object({ patientId: uuid, kind: z.enum(conversationKinds), firstMessage: messageContent.optional() });
export type CreateConversationInput = z.infer<typeof createConversationInput>;

/** The latest activity first. */
export const listConversationsInput = pageInput.extend({ patientId: uuid.optional() });
export type ListConversationsInput = z.infer<typeof listConversationsInput>;

/* Outputs */
export const conversationOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  kind: z.enum(conversationKinds),
  createdBy: z.string().describe('The id of the user who began it'),
  createdAt: instantOutput,
  lastMessageAt: instantOutput.nullable().describe('When its latest message was sent; null before the first'),
  unreadCount: z.number().int().describe("Others' messages the caller has not marked read (retracted ones not counted)"),
});
export type ConversationOutput = z.infer<typeof conversationOutput>;
export const conversationPageOutput = pageOutput(conversationOutput);

export const createConversationOutput = conversationOutput.extend({ firstMessage: messageOutput.nullable() });
