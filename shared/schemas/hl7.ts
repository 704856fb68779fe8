import { z } from 'zod';
import { text } from './common.ts';

/**
 * The hard ceiling of one message's length. The limit that applies is the server's HL7_MAX_MESSAGE_BYTES
 * (at most this), which `hl7.receive` answers with an AR naming it, as an interface engine expects.
 */
export const HL7_MESSAGE_CEILING = 32 * 1024 * 1024;

/** One HL7 v2 message (ER7 text, segments ended by \r); split a file with `splitHl7Messages` first. */
export const receiveHl7Input = z.object({ message: text().min(1, 'is required').max(HL7_MESSAGE_CEILING) });
export type ReceiveHl7Input = z.infer<typeof receiveHl7Input>;
