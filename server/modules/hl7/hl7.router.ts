import { hl7BatchResultOutput, hl7ResultOutput, receiveHl7BatchInput, receiveHl7Input } from '../../../shared/schemas/hl7.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { receiveHl7Message, receiveHl7Messages } from './hl7.service.ts';

/**
 * HL7 v2 in: one message per call, answered with its ACK, or several of one connection in order, each
 * answered with its own (`pams hl7 listen`; also served raw at POST /hl7/v2, see hl7-http.routes.ts).
 */
export const hl7Router = router({
  receive: adminProcedure
    .meta({ phi: true })
    .input(receiveHl7Input)
    .output(hl7ResultOutput)
    .mutation(({ ctx, input }) => receiveHl7Message(ctx, input)),
  receiveBatch: adminProcedure
    .meta({ phi: true })
    .input(receiveHl7BatchInput)
    .output(hl7BatchResultOutput)
    .mutation(({ ctx, input }) => receiveHl7Messages(ctx, input)),
});
