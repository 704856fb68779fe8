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

/* Outputs */
/** MSA-1: AA applied, AE refused for its content, AR refused as unusable. */
export const ackCodes = ['AA', 'AE', 'AR'] as const;
export type AckCode = (typeof ackCodes)[number];

/** One message's answer: its ACK, and what the ACK says as fields. */
export const hl7ResultOutput = z.object({
  controlId: z.string().nullable().describe('MSH-10, when the message had one'),
  messageType: z.string().nullable().describe('MSH-9 as type^event, e.g. ADT^A04'),
  ackCode: z.enum(ackCodes),
  text: z.string(),
  errorLocation: z.string().nullable().describe('ERR-2 of the first error of an AE or AR'),
  warnings: z.array(z.object({ location: z.string().nullable(), text: z.string() })).describe('Parts of an accepted message that were left out (each an ERR of severity W)'),
  ack: z.string().describe('The ACK message, ER7 text'),
});
export type Hl7Result = z.infer<typeof hl7ResultOutput>;

/**
 * What `hl7.receiveBatch` answers: the results of the first messages, in order; when the rest could not be
 * applied now (`stopped`: the database away, a lost deadlock), those are left out, not applied and
 * unanswered, so the caller closes the connection and the engine resends from the first of them.
 */
export const hl7BatchResultOutput = z.object({
  results: z.array(hl7ResultOutput),
  stopped: z.string().nullable().describe('Why the messages after the results were not applied (send them again later); null when all were'),
});
export type Hl7BatchResult = z.infer<typeof hl7BatchResultOutput>;
