import { z } from 'zod';
import { instantOutput, pageInput, pageOutput, text, uuid } from './common.ts';
import { phone } from './patients.ts';

/**
 * SOS requests: a patient (or a guardian, for a dependent) asks for help from the portal; the practice's
 * on-call clinicians (else the care team) are told at once, the first to acknowledge takes it, and it is
 * resolved with an outcome. PAMS is not an emergency service: every answer carries the practice's emergency number.
 */
export const sosStatuses = ['open', 'acknowledged', 'resolved'] as const;
export type SosStatus = (typeof sosStatuses)[number];

export const sosOutcomes = ['advised', 'callback-done', 'appointment-booked', 'referred-to-emergency', 'no-contact', 'false-alarm'] as const;
export type SosOutcome = (typeof sosOutcomes)[number];

/** What the patient must be told with every SOS: PAMS is not an emergency service. */
export const sosNotice = (number: string) => `PAMS is not an emergency service: for a life-threatening emergency call ${number} now.`;

/** Where the patient is, as a phone reports it: degrees, and the accuracy radius in metres. */
export const sosLocation = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  accuracy: z.number().min(0).max(100_000).optional(),
});
export type SosLocation = z.infer<typeof sosLocation>;

export const raiseSosInput = z.object({
  patientId: uuid,
  text: text().trim().min(1, 'is required').max(2000),
  location: sosLocation.optional(),
  /** Where the practice calls back. */
  callbackPhone: phone,
});
export type RaiseSosInput = z.infer<typeof raiseSosInput>;

export const resolveSosInput = z.object({ id: uuid, outcome: z.enum(sosOutcomes), note: text().trim().min(1).max(2000).optional() });
export type ResolveSosInput = z.infer<typeof resolveSosInput>;

export const listSosInput = pageInput.extend({ status: z.enum(sosStatuses).optional(), patientId: uuid.optional() });
export type ListSosInput = z.infer<typeof listSosInput>;

export const sosOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  raisedBy: z.string().describe('The portal user who raised it: the patient, or a guardian for a dependent'),
  text: z.string(),
  location: z.object({ latitude: z.number(), longitude: z.number(), accuracy: z.number().nullable() }).nullable(),
  callbackPhone: z.string(),
  status: z.enum(sosStatuses),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: instantOutput.nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: instantOutput.nullable(),
  outcome: z.enum(sosOutcomes).nullable(),
  outcomeNote: z.string().nullable().describe("The resolving clinician's note: staff only (null in the portal)"),
  escalationStep: z.number().describe('How many times it has been escalated to every clinician and admin for want of an acknowledgement'),
  createdAt: instantOutput,
  emergencyNumber: z.string().describe("The practice's emergency number"),
  notice: z.string().describe('PAMS is not an emergency service: for a life-threatening emergency call the emergency number now'),
});
export type SosOutput = z.infer<typeof sosOutput>;
export const sosPageOutput = pageOutput(sosOutput);

/** `HH:MM`, 24-hour; `24:00` ends the day. */
const timeOfDay = text()
  .max(5)
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time of day, HH:MM');

/**
 * One on-call shift of a weekly roster, in the practice's time zone: ISO weekday 1 (Monday) to 7 (Sunday),
 * the end after the start. A night shift is two: Monday 18:00-24:00 and Tuesday 00:00-08:00.
 */
export const onCallShift = z
  .object({ clinicianId: uuid, weekday: z.number().int().min(1).max(7), start: timeOfDay, end: timeOfDay })
  .refine((s) => s.start < s.end, { path: ['end'], message: 'must be after the start (split a night shift at midnight)' });
export type OnCallShift = z.infer<typeof onCallShift>;

/** Replaces the whole roster. */
export const setOnCallInput = z.object({ shifts: z.array(onCallShift).max(500) });
export type SetOnCallInput = z.infer<typeof setOnCallInput>;

export const onCallOutput = z.object({
  timeZone: z.string().describe("The practice's time zone, in which the shifts' times are"),
  shifts: z.array(z.object({ clinicianId: z.string(), weekday: z.number(), start: z.string(), end: z.string() })),
  onCallNow: z.array(z.string()).describe('The clinicians on call at this moment: an SOS raised now goes to them (to the care team when none is)'),
});
