import { z } from 'zod';
import { dateOutput, instantOutput, pageOutput } from './common.ts';
import { deliveryStatuses, reminderChannels } from './steps.ts';

/** One reminder of a plan item, on one channel (the list's input, `listRemindersInput`, is with the steps'). */
export const reminderOutput = z.object({
  id: z.string(),
  stepId: z.string(),
  patientId: z.string(),
  title: z.string().describe("The plan item's title"),
  localDay: dateOutput.describe("The patient's calendar day the reminder is for"),
  channel: z.enum(reminderChannels),
  status: z.enum(deliveryStatuses),
  attempts: z.number(),
  lastError: z.string().nullable().describe("The last failed send's error name or SMTP code"),
  createdAt: instantOutput,
  sentAt: instantOutput.nullable(),
});
export type ReminderOutput = z.infer<typeof reminderOutput>;

export const reminderPageOutput = pageOutput(reminderOutput);
