import { z } from 'zod';
import { patientSignUpModes } from '../enums.ts';
import { billingSettingsInput } from './billing.ts';
import { email, ianaTimeZone, instantOutput, password, personName, text, uuid } from './common.ts';
import { phone } from './patients.ts';

/** An HL7 v2 namespace id (HD.1), written as is into ACKs: no separator characters. */
const hl7Name = text()
  .trim()
  .min(1)
  .max(180)
  .regex(/^[^|^~\\&]+$/, 'must not contain the HL7 separators | ^ ~ \\ &');

/** What names a practice at sign-up, its slug or its id: lower-case letters, digits and inner dashes. */
export const practiceRef = text()
  .trim()
  .toLowerCase()
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1-63 lower-case letters, digits or dashes, not starting or ending with a dash');

/** A practice's short public name, for its sign-up link. Not UUID-shaped: a UUID names a practice by id. */
const practiceSlug = practiceRef.refine((v) => !uuid.safeParse(v).success, 'must not look like a UUID');

/** An emergency number as dialled: 2 to 15 digits, optionally with a leading +. */
export const emergencyNumber = text()
  .trim()
  .max(16)
  .regex(/^\+?[0-9]{2,15}$/, 'must be the number as dialled, e.g. 112 or 911');

/** The practice's tax registration as the law there names it: { label: 'GSTIN', value: '29ABCDE1234F1Z5' }, VAT, ABN, EIN… */
export const taxRegistration = z.object({
  label: text().trim().min(1, 'is required').max(20),
  value: text().trim().min(1, 'is required').max(50),
});

/**
 * What an invoice shows of the practice besides its name: each null when not set (the name then is the
 * practice's own). Not in the session's actor (auth.me): only invoices need them, and they load the practice.
 */
export const billingDetailsInput = z.object({
  /** The legal or trading name invoices carry; null: the practice's name. */
  billingName: text().trim().min(1).max(200).nullable(),
  /** The postal address as printed, line by line. */
  billingAddressLines: z.array(text().trim().min(1).max(200)).min(1).max(6).nullable(),
  billingPhone: phone.nullable(),
  billingEmail: email.nullable(),
  taxRegistration: taxRegistration.nullable(),
});

export const updatePracticeInput = z
  .object({
    name: text().trim().min(1).max(200),
    timeZone: ianaTimeZone,
    mfaRequired: z.boolean(),
    reviewExtractedSteps: z.boolean(),
    /** A patient's request to join a clinician's care team is accepted at once (off: the clinician or an admin decides). */
    autoAcceptCareRequests: z.boolean(),
    /** Patients cancel or move their own visits until this many hours before the start (0: until it starts). */
    cancellationWindowHours: z.number().int().min(0).max(720),
    /** MSH-3 and MSH-4 of the ACKs PAMS sends; null restores the default (PAMS, and the practice's name). */
    hl7SendingApplication: hl7Name.nullable(),
    hl7SendingFacility: hl7Name.nullable(),
    /** `open`: anyone may create a patient account here with `auth.signUp` (and verify their email); `off`: by invite only. */
    patientSignUp: z.enum(patientSignUpModes),
    /** Unique across practices; what `auth.signUp` may name the practice by (besides its id). Null removes it. */
    slug: practiceSlug.nullable(),
    /** The number the practice's patients call in a life-threatening emergency (112, 911, 999, 000…): every SOS answer and email shows it. */
    emergencyNumber,
    /** An SOS not acknowledged after this many minutes goes to every clinician and admin, and again each such period. */
    sosEscalationMinutes: z.number().int().min(1).max(60),
    /** Billing: the currency (fixed once an invoice exists), price basis, number formats, automatic charges, payment terms. */
    ...billingSettingsInput.shape,
    /** Billing: the name, address, contact and tax registration invoices show. */
    ...billingDetailsInput.shape,
  })
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

export const practiceOutput = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  mfaRequired: z.boolean(),
  reviewExtractedSteps: z.boolean().describe('Care steps extracted from notes wait as proposed until a clinician accepts them'),
  autoAcceptCareRequests: z.boolean().describe("Patients' requests to join a clinician's care team are accepted at once, without the clinician deciding"),
  cancellationWindowHours: z.number().describe('Patients cancel or move their own visits until this many hours before the start; staff at any time'),
  hl7SendingApplication: z.string().describe('MSH-3 of the HL7 ACKs PAMS sends: the setting, else PAMS'),
  hl7SendingFacility: z.string().describe("MSH-4 of the HL7 ACKs PAMS sends: the setting, else the practice's name"),
  patientSignUp: z.enum(patientSignUpModes).describe('open: anyone may create a patient account with auth.signUp; off: by invite only'),
  slug: z.string().nullable().describe('The short name auth.signUp accepts for the practice, besides its id'),
  emergencyNumber: z.string().describe('The emergency number every SOS answer and email tells patients to call: PAMS is not an emergency service'),
  sosEscalationMinutes: z.number().describe('An SOS not acknowledged after this many minutes goes to every clinician and admin, and again each such period'),
  currency: z.string().describe("ISO 4217: billing's amounts are integers of its minor units"),
  pricesIncludeTax: z.boolean().describe("Prices include tax: a line's tax is worked out of its amount"),
  invoiceNumberFormat: z.string().describe('How invoice numbers are written, e.g. INV-{YYYY}-{SEQ:6}'),
  creditNoteNumberFormat: z.string().describe('How credit-note numbers are written, e.g. CN-{YYYY}-{SEQ:6}'),
  chargeCompletedVisits: z.boolean().describe("A visit marked completed creates a charge for its type's service"),
  paymentTermsDays: z.number().describe('An issued invoice is due this many days later'),
  createdAt: instantOutput,
});
export type PracticeOutput = z.infer<typeof practiceOutput>;

export const billingDetailsOutput = z.object({
  billingName: z.string().nullable().describe("The name invoices carry; null: the practice's name"),
  billingAddressLines: z.array(z.string()).nullable().describe('The postal address invoices show, line by line'),
  billingPhone: z.string().nullable().describe('E.164'),
  billingEmail: z.string().nullable(),
  taxRegistration: z.object({ label: z.string(), value: z.string() }).nullable().describe('e.g. { label: GSTIN, value: 29ABCDE1234F1Z5 }'),
});
export type BillingDetailsOutput = z.infer<typeof billingDetailsOutput>;

/** The practice as its settings show it (`practices.current`): what the session carries (practiceOutput), and its billing details. */
export const practiceSettingsOutput = practiceOutput.extend(billingDetailsOutput.shape);

export const updatedPracticeOutput = practiceSettingsOutput.extend({
  usersWithoutMfa: z.number().describe('Users (active or invited) who have not enrolled in two-factor authentication yet'),
});
