import { idInput } from '../../../shared/schemas/common.ts';
import { listMessagesInput, markMessagesReadInput, markMessagesReadOutput, messageOutput, messagePageOutput, sendMessageInput } from '../../../shared/schemas/messages.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { listMessages, markMessagesRead, retractMessage, sendMessage } from './messages.service.ts';

export const messagesRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listMessagesInput)
    .output(messagePageOutput)
    .query(({ ctx, input }) => listMessages(ctx, input)),
  send: authedProcedure
    .meta({ phi: true })
    .input(sendMessageInput)
    .output(messageOutput)
    .mutation(({ ctx, input }) => sendMessage(ctx, input)),
  markRead: authedProcedure
    .meta({ phi: true })
    .input(markMessagesReadInput)
    .output(markMessagesReadOutput)
    .mutation(({ ctx, input }) => markMessagesRead(ctx, input)),
  retract: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(messageOutput)
    .mutation(({ ctx, input }) => retractMessage(ctx, input)),
});
