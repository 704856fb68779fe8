import { z } from 'zod';
import { calendarDate, dateOutput, instantOutput, pageInput, pageOutput, text, uuid } from './common.ts';

export const stepKinds = ['checklist', 'plan'] as const;
export type StepKind = (typeof stepKinds)[number];

/**
 * proposed: extracted, waiting for a clinician (practice setting `reviewExtractedSteps`); active: in force,
 * reminded if a plan item; done: ticked (checklist) or checked in (plan); cancelled: by a clinician or by a
 * newer note; rejected: a proposal a clinician turned down.
 */
export const stepStates = ['proposed', 'active', 'done', 'cancelled', 'rejected'] as const;
export type StepState = (typeof stepStates)[number];

export const cadences = ['daily', 'weekly'] as const;
export type Cadence = (typeof cadences)[number];

export const timeOfDay = text()
  .max(5)
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');

export const stepTitle = text().trim().min(1, 'is required').max(300);

/** When a plan item's action happens; reminders come once a day at `timeOfDay` in the patient's zone. */
export const schedule = z
  .object({
    cadence: z.enum(cadences),
    startDate: calendarDate,
    endDate: calendarDate.nullable().default(null),
    /** Occurrences in all, an alternative to an end date. */
    count: z.number().int().min(1).max(1000).nullable().default(null),
    timeOfDay: timeOfDay.default('09:00'),
  })
  .refine((s) => !s.endDate || s.endDate >= s.startDate, { message: 'must not be before the start', path: ['endDate'] });
export type Schedule = z.infer<typeof schedule>;

export const listStepsInput = pageInput.extend({
  patientId: uuid.optional(),
  kind: z.enum(stepKinds).optional(),
  state: z.enum(stepStates).optional(),
});
export type ListStepsInput = z.infer<typeof listStepsInput>;

/** Absent fields are kept. */
export const updateStepInput = z.object({ id: uuid, title: stepTitle.optional(), schedule: schedule.optional() });
export type UpdateStepInput = z.infer<typeof updateStepInput>;

export const cancelStepInput = z.object({ id: uuid, reason: text().trim().max(500).optional() });
export type CancelStepInput = z.infer<typeof cancelStepInput>;

export const listRemindersInput = pageInput.extend({ patientId: uuid.optional() });
export type ListRemindersInput = z.infer<typeof listRemindersInput>;

export const reminderChannels = ['email', 'in-app'] as const;
export type ReminderChannel = (typeof reminderChannels)[number];

/** pending: an email waiting for its (next) attempt; skipped: no address, or the patient opted out of reminder emails; cancelled: the step ended (or the patient opted out) first. */
export const deliveryStatuses = ['pending', 'sent', 'skipped', 'cancelled'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/* Outputs */
export const scheduleOutput = z.object({
  cadence: z.enum(cadences),
  startDate: dateOutput,
  endDate: dateOutput.nullable().describe('Inclusive; for a plan given as a count, the date of the last occurrence'),
  count: z.number().nullable().describe('Occurrences in all, where the plan was given so'),
  timeOfDay: z.string().describe("HH:MM in the patient's time zone, when reminders come"),
});

export const stepOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  noteId: z.string().describe('The note the step was extracted from'),
  kind: z.enum(stepKinds),
  state: z.enum(stepStates),
  title: z.string(),
  provenance: z.string().describe('The passage of the note this step was extracted from, word for word'),
  schedule: scheduleOutput.nullable().describe("A plan item's; null for a checklist item"),
  doneAt: instantOutput.nullable(),
  doneBy: z.string().nullable(),
  cancelledAt: instantOutput.nullable(),
  cancelReason: z.string().nullable(),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type StepOutput = z.infer<typeof stepOutput>;
export const stepPageOutput = pageOutput(stepOutput);
