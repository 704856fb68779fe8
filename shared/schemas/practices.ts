import { z } from 'zod';
import { email, ianaTimeZone, password, personName, text } from './common.ts';

export const updatePracticeInput = z
  .object({ name: text().trim().min(1).max(200), timeZone: ianaTimeZone, mfaRequired: z.boolean(), reviewExtractedSteps: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdatePracticeInput = z.infer<typeof updatePracticeInput>;

export const bootstrapInput = z.object({
  practiceName: text().trim().min(1, 'is required').max(200),
  email,
  name: personName,
  password,
  timeZone: ianaTimeZone.default('UTC'),
});
export type BootstrapInput = z.infer<typeof bootstrapInput>;
