import { z } from 'zod';
import { text } from './common.ts';

/** One HL7 v2 message (ER7 text, segments ended by \r); split a file with `splitHl7Messages` first. */
export const receiveHl7Input = z.object({ message: text().min(1, 'is required').max(1_000_000) });
export type ReceiveHl7Input = z.infer<typeof receiveHl7Input>;
