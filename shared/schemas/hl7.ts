import { z } from 'zod';

/**
 * The hard ceiling of one message's length. The limit that applies is the server's HL7_MAX_MESSAGE_BYTES
 * (at most this), which `hl7.receive` answers with an AR naming it, as an interface engine expects.
 */
export const HL7_MESSAGE_CEILING = 32 * 1024 * 1024;

/**
 * One HL7 v2 message (ER7 text, segments ended by \r); split a file with `splitHl7Messages` first. Not
 * `text()`: a character PAMS cannot store (NUL) is refused in the field that holds it, with an ACK naming
 * that field, and is no reason to refuse a message whose other segments hold it.
 */
export const receiveHl7Input = z.object({ message: z.string().min(1, 'is required').max(HL7_MESSAGE_CEILING) });
export type ReceiveHl7Input = z.infer<typeof receiveHl7Input>;

/**
 * The most messages one `hl7.receiveBatch` call takes: as many as a tRPC batch of `hl7.receive` calls
 * (MAX_BATCH_CALLS), so one HTTP request costs no more than such a batch does.
 */
export const HL7_MAX_BATCH_MESSAGES = 20;

/** Messages of one connection, in the order they arrived: applied in that order, each answered with its own ACK. */
export const receiveHl7BatchInput = z.object({ messages: z.array(receiveHl7Input.shape.message).min(1, 'is required').max(HL7_MAX_BATCH_MESSAGES) });
export type ReceiveHl7BatchInput = z.infer<typeof receiveHl7BatchInput>;
