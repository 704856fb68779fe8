import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { z } from 'zod';
import { administrativeGenders, patientRevisionSources, patientStatuses } from '../enums.ts';
import { calendarDate, dateOutput, email, ianaTimeZone, instantOutput, languageTag, pageInput, pageOutput, pastOrToday, text, uuid } from './common.ts';
import { photoFileIdInput, photoOutput } from './files.ts';
import { recordOutputs } from './records.ts';
import { userOutput } from './users.ts';

/** Phone numbers are stored E.164; input may be formatted, with a country prefix (+353…). */
export const phone = text()
  .max(40)
  .transform((value, ctx) => {
    try {
      const parsed = parsePhoneNumberWithError(value);
      if (parsed.isValid()) return parsed.number;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a phone number with its country code, e.g. +353 87 123 4567' });
    return z.NEVER;
  });

export const address = z.object({
  lines: z.array(text().trim().min(1).max(200)).min(1).max(4),
  city: text().trim().min(1).max(100),
  region: text().trim().max(100).optional(),
  postalCode: text().trim().max(20).optional(),
  country: text()
    .trim()
    .max(2)
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code, e.g. IE'),
});

export const emergencyContact = z.object({
  name: text().trim().min(1).max(200),
  relationship: text().trim().min(1).max(100),
  phone,
});

/** MRNs compare without case: stored upper-case, so `abc-1` and `ABC-1` are one MRN. */
const mrn = text()
  .trim()
  .max(32)
  .regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1-32 letters, digits or dashes')
  .toUpperCase();
const patientName = text().trim().min(1, 'is required').max(100);
/** The second and further given names, in order (HL7 PID-5.3; FHIR's given names after the first). */
const middleNames = z.array(patientName).max(10);

export const createPatientInput = z.object({
  mrn: mrn.optional(),
  givenName: patientName,
  middleNames: middleNames.optional(),
  familyName: patientName,
  birthDate: calendarDate.refine(pastOrToday, 'must not be in the future'),
  gender: z.enum(administrativeGenders),
  email: email.optional(),
  phone: phone.optional(),
  address: address.optional(),
  preferredLanguage: languageTag.optional(),
  timeZone: ianaTimeZone.optional(),
  emergencyContact: emergencyContact.optional(),
});
export type CreatePatientInput = z.infer<typeof createPatientInput>;

/** Fields set to null are cleared; absent fields are kept. */
export const updatePatientInput = z.object({
  id: uuid,
  mrn: mrn.optional(),
  givenName: patientName.optional(),
  /** The whole list; [] clears it. */
  middleNames: middleNames.optional(),
  familyName: patientName.optional(),
  birthDate: calendarDate.refine(pastOrToday, 'must not be in the future').optional(),
  gender: z.enum(administrativeGenders).optional(),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  address: address.nullable().optional(),
  preferredLanguage: createPatientInput.shape.preferredLanguage.unwrap().nullable().optional(),
  photoFileId: photoFileIdInput.optional(),
  timeZone: ianaTimeZone.optional(),
  emergencyContact: emergencyContact.nullable().optional(),
  /** Only null: staff clear an opt-out of reminder emails; the patient opts out from a mail's link. */
  reminderEmailOptOutAt: z.null().optional(),
});
export type UpdatePatientInput = z.infer<typeof updatePatientInput>;

/**
 * What a patient (or a guardian, for a dependent) may change of their own record in the portal: the
 * contact details. Names, birth date, MRN and the rest stay staff-only; strict, so a key outside the
 * list is refused, not silently dropped. `email` is the record's contact email, not the portal login.
 * Fields set to null are cleared; absent fields are kept.
 */
export const updateProfileInput = z.strictObject({
  patientId: uuid,
  email: updatePatientInput.shape.email,
  phone: updatePatientInput.shape.phone,
  address: updatePatientInput.shape.address,
  preferredLanguage: updatePatientInput.shape.preferredLanguage,
  emergencyContact: updatePatientInput.shape.emergencyContact,
  photoFileId: updatePatientInput.shape.photoFileId,
});
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;

/** One query string (names, MRN, email, phone digits, a birth date) and/or fields, all ANDed. */
export const searchPatientsInput = pageInput.extend({
  query: text().trim().max(200).optional(),
  name: text().trim().max(200).optional(),
  mrn: text().trim().max(32).optional(),
  email: text().trim().max(320).optional(),
  phone: text().trim().max(40).optional(),
  birthDate: calendarDate.optional(),
  status: z.enum(patientStatuses).default('active'),
  /** true: only patients who signed up themselves (`auth.signUp`); false: only those staff registered or imported. */
  selfRegistered: z.boolean().optional(),
});
export type SearchPatientsInput = z.infer<typeof searchPatientsInput>;

export const patientIdInput = z.object({ patientId: uuid });
export type PatientIdInput = z.infer<typeof patientIdInput>;

export const careTeamInput = z.object({ patientId: uuid, clinicianId: uuid });
export type CareTeamInput = z.infer<typeof careTeamInput>;

export const relatedPersonFields = z.object({
  relationship: text().trim().min(1).max(100),
  name: text().trim().min(1).max(200),
  phone: phone.optional(),
  email: email.optional(),
});
export const addRelatedPersonInput = relatedPersonFields.extend({ patientId: uuid });
export type AddRelatedPersonInput = z.infer<typeof addRelatedPersonInput>;
export const updateRelatedPersonInput = relatedPersonFields.partial().extend({ id: uuid });
export type UpdateRelatedPersonInput = z.infer<typeof updateRelatedPersonInput>;

export const invitePatientInput = z.object({ patientId: uuid, email: email.optional() });
export type InvitePatientInput = z.infer<typeof invitePatientInput>;

/** Folds `sourceId` (typically a self-registered duplicate) into `targetId`; the source stays, marked merged. */
export const mergePatientsInput = z.object({ sourceId: uuid, targetId: uuid }).refine((v) => v.sourceId !== v.targetId, { message: 'must be another patient than sourceId', path: ['targetId'] });
export type MergePatientsInput = z.infer<typeof mergePatientsInput>;

/** Lets the portal account of `guardianPatientId` act for `patientId` (a dependent). */
export const guardianInput = z.object({ patientId: uuid, guardianPatientId: uuid });
export type GuardianInput = z.infer<typeof guardianInput>;

/* Outputs */
export const addressOutput = z.object({
  lines: z.array(z.string()),
  city: z.string(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().describe('ISO 3166 country code'),
});

export const emergencyContactOutput = z.object({ name: z.string(), relationship: z.string(), phone: z.string() });

export const patientOutput = z.object({
  id: z.string(),
  mrn: z.string(),
  externalId: z.string().nullable().describe("The patient's id in the system they were imported from"),
  givenName: z.string(),
  middleNames: z.array(z.string()).describe('The second and further given names, in order'),
  familyName: z.string(),
  birthDate: dateOutput,
  gender: z.enum(administrativeGenders),
  email: z.string().nullable(),
  phone: z.string().nullable().describe('E.164'),
  address: addressOutput.nullable(),
  preferredLanguage: z.string().nullable().describe('A language tag such as en or pt-BR'),
  timeZone: z.string(),
  emergencyContact: emergencyContactOutput.nullable(),
  status: z.enum(patientStatuses),
  selfRegistered: z.boolean().describe('The patient created this record by signing up (auth.signUp), not staff'),
  mergedIntoId: z.string().nullable().describe('Set once status is merged: the patient this record was merged into'),
  hasPortalAccount: z.boolean(),
  photo: photoOutput,
  reminderEmailOptOutAt: instantOutput.nullable().describe('When the patient stopped reminder emails (the in-app reminders go on); null while they get them'),
  createdAt: instantOutput,
  updatedAt: instantOutput,
});
export type PatientOutput = z.infer<typeof patientOutput>;

export const patientPageOutput = pageOutput(patientOutput);

export const mergePatientsOutput = z.object({
  target: patientOutput,
  source: patientOutput,
  moved: z.record(z.string(), z.number()).describe('Rows moved from the source to the target, by kind (a care team member or guardian the target already had is dropped, not counted)'),
});

export const relatedPersonOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  relationship: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  createdAt: instantOutput,
});
export type RelatedPersonOutput = z.infer<typeof relatedPersonOutput>;

/** A patient's related persons, oldest first. */
export const relatedPersonListOutput = z.array(relatedPersonOutput);

/** A patient's care team: the clinicians caring for them, in the order they joined. */
export const careTeamOutput = z.array(userOutput);

/** Everything a chart screen shows, each list newest first except related persons and the care team (oldest first). */
export const chartOutput = z.object({
  patient: patientOutput,
  allergies: z.array(recordOutputs.allergy),
  medications: z.array(recordOutputs.medication),
  conditions: z.array(recordOutputs.condition),
  observations: z.array(recordOutputs.observation),
  history: z.array(recordOutputs.history),
  relatedPersons: z.array(relatedPersonOutput),
  careTeam: careTeamOutput,
});

/** The patient's fields a revision changed, before or after: only those that changed, under their names. */
const revisedFields = patientOutput
  .pick({
    mrn: true,
    givenName: true,
    middleNames: true,
    familyName: true,
    birthDate: true,
    gender: true,
    email: true,
    phone: true,
    address: true,
    preferredLanguage: true,
    timeZone: true,
    emergencyContact: true,
    reminderEmailOptOutAt: true,
  })
  .partial();

/** A patient's revisions, oldest first: who changed which of their fields, when, from what to what. */
export const patientHistoryOutput = z.array(
  z.object({
    id: z.string(),
    changedBy: z.string(),
    changedAt: instantOutput,
    source: z.enum(patientRevisionSources),
    sourceRef: z.string().nullable().describe("The import's id (source `import`) or the HL7 message's control id (`hl7`)"),
    before: revisedFields,
    after: revisedFields,
  }),
);

/** What the portal shows of a patient: who they are, and the contact details they may change themselves. */
export const portalPatientOutput = patientOutput
  .pick({ id: true, givenName: true, familyName: true, birthDate: true, email: true, phone: true, address: true, preferredLanguage: true, emergencyContact: true, photo: true })
  .extend({ self: z.boolean().describe('The caller themself, not a dependent') });
export type PortalPatientOutput = z.infer<typeof portalPatientOutput>;

/** What the portal shows of each patient the caller may act for: a safe subset of their record. */
export const portalRecordsOutput = z.array(
  z.object({
    patient: portalPatientOutput,
    allergies: z.array(recordOutputs.allergy),
    medications: z.array(recordOutputs.medication),
    conditions: z.array(recordOutputs.condition),
    observations: z.array(recordOutputs.observation),
    history: z.array(recordOutputs.history).describe('Medical, surgical, family and social history'),
  }),
);
