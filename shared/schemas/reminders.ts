import { z } from 'zod';
import { dateOutput, instantOutput, pageOutput, text } from './common.ts';
import { deliveryStatuses, reminderChannels, stepStates } from './steps.ts';

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

/** A reminder mail's signed link token (`?token=` of /check-in or /unsubscribe), for a frontend serving those paths itself. */
export const reminderLinkInput = z.object({ token: text().max(2000) });
export type ReminderLinkInput = z.infer<typeof reminderLinkInput>;

/** What a check-in link is for: the plan item's title, the day it reminded of, and whether it is still active. */
export const checkInLinkOutput = z.object({ title: z.string(), localDay: dateOutput, practiceName: z.string(), state: z.enum(stepStates) });

/** `checked-in` when this call checked in; else the state the plan item was already in (`done` once used). */
export const checkInFromLinkOutput = z.object({ title: z.string(), outcome: z.enum(['checked-in', ...stepStates]) });

export const unsubscribeLinkOutput = z.object({ practiceName: z.string(), optedOut: z.boolean() });
