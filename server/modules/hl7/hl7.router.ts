import { receiveHl7Input } from '../../../shared/schemas/hl7.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { receiveHl7Message } from './hl7.service.ts';

/** HL7 v2 in: one message per call, answered with its ACK (also served raw at POST /hl7/v2, see hl7.route.ts). */
export const hl7Router = router({
  receive: adminProcedure.input(receiveHl7Input).mutation(({ ctx, input }) => receiveHl7Message(ctx, input)),
});
