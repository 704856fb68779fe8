import { z } from 'zod';
import { dateOutput, instantOutput, pageInput, pageOutput, text, uuid } from './common.ts';

/**
 * A patient (or a guardian, for a dependent) asks a clinician of the directory who accepts new patients
 * to take them on; the clinician or an admin accepts (the clinician joins the care team) or declines,
 * with a reason the patient sees. Only a pending request changes; the others are final.
 */
export const careRequestStates = ['pending', 'accepted', 'declined', 'cancelled'] as const;
export type CareRequestState = (typeof careRequestStates)[number];

export const createCareRequestInput = z.object({
  patientId: uuid,
  /** The clinician's user id, as the directory (clinicians.directory) gives it. */
  clinicianId: uuid,
  /** A few words for the clinician: why, what for. */
  message: text().trim().min(1).max(1000).optional(),
});
export type CreateCareRequestInput = z.infer<typeof createCareRequestInput>;

export const declineCareRequestInput = z.object({
  id: uuid,
  /** Shown to the patient. */
  reason: text().trim().min(1, 'is required').max(500),
});
export type DeclineCareRequestInput = z.infer<typeof declineCareRequestInput>;

/** Newest first. A clinician sees the requests addressed to them, an admin the practice's, a patient their own and their dependents'. */
export const listCareRequestsInput = pageInput.extend({
  state: z.enum(careRequestStates).optional(),
  patientId: uuid.optional(),
  clinicianId: uuid.optional(),
});
export type ListCareRequestsInput = z.infer<typeof listCareRequestsInput>;

/* Outputs */
export const careRequestOutput = z.object({
  id: z.string(),
  state: z.enum(careRequestStates),
  /** Who the request is for: enough for the clinician to know the patient before they are on the care team. */
  patient: z.object({ id: z.string(), givenName: z.string(), familyName: z.string(), birthDate: dateOutput }),
  clinician: z.object({ id: z.string().describe("The clinician's user id"), displayName: z.string() }),
  message: z.string().nullable(),
  declineReason: z.string().nullable().describe('Why the request was declined, as the patient reads it'),
  requestedBy: z.string().describe('The portal user who asked: the patient, or their guardian'),
  decidedBy: z.string().nullable().describe('Who accepted, declined or cancelled it; null while pending, or when the practice accepts requests automatically'),
  createdAt: instantOutput,
  decidedAt: instantOutput.nullable(),
});
export type CareRequestOutput = z.infer<typeof careRequestOutput>;

export const careRequestPageOutput = pageOutput(careRequestOutput);
