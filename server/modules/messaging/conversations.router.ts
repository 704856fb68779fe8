import { conversationPageOutput, createConversationInput, createConversationOutput, listConversationsInput } from '../../../shared/schemas/conversations.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { createConversation, listConversations } from './conversations.service.ts';

/** Patients (and guardians) and staff alike; who may read which conversation is conversation-access.ts's rule. */
export const conversationsRouter = router({
  create: authedProcedure
    .meta({ phi: true })
    .input(createConversationInput)
    .output(createConversationOutput)
    .mutation(({ ctx, input }) => createConversation(ctx, input)),
  list: authedProcedure
    .meta({ phi: true })
    .input(listConversationsInput)
    .output(conversationPageOutput)
    .query(({ ctx, input }) => listConversations(ctx, input)),
});
