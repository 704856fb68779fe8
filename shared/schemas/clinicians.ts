import { z } from 'zod';
import { languageTag, pageInput, pageOutput, personName, text, uuid } from './common.ts';
import { photoFileIdInput, photoOutput } from './files.ts';
import { phone } from './patients.ts';
import { codeSystems } from './records.ts';

/**
 * The practice's directory of clinicians: who they are, what they do, which languages they speak and
 * whether they take new patients. Patients of the practice see the public fields; colleagues (staff) also
 * see how to reach them.
 */

/** A SNOMED CT concept id: 6 to 18 digits. */
const snomedCode = text()
  .trim()
  .max(18)
  .regex(/^\d{6,18}$/, 'must be a SNOMED CT concept id (6 to 18 digits)');

/** What the clinician practises, as people read it, and optionally its SNOMED CT code (FHIR PractitionerRole.specialty). */
export const clinicianSpecialty = z.object({
  name: text().trim().min(1, 'is required').max(100),
  code: z.object({ system: z.enum([codeSystems.snomed]), code: snomedCode }).optional(),
});

/** The clinician's entry on a professional register (FHIR Practitioner.identifier): public, so patients can check it. */
export const clinicianRegistration = z.object({
  system: text()
    .trim()
    .max(200)
    .regex(/^(https?:\/\/|urn:)\S+$/, 'must be a URI naming the register, e.g. https://www.medicalcouncil.ie'),
  value: text().trim().min(1, 'is required').max(50),
  /** The register's name as people know it ("Medical Council"). */
  issuer: text().trim().min(1).max(200).optional(),
});

export const listCliniciansInput = pageInput.extend({
  /** Part of the name, in any case. */
  query: text().trim().max(200).optional(),
  /** The specialty's name (in any case) or its code. */
  specialty: text().trim().max(100).optional(),
  /** Speaks this language or a variant of it: `en` finds `en-IE` too. */
  language: languageTag.optional(),
  acceptsNewPatients: z.boolean().optional(),
});
export type ListCliniciansInput = z.infer<typeof listCliniciansInput>;

/** Fields set to null are cleared; absent fields are kept. The id is the clinician's user id. */
export const updateClinicianProfileInput = z.object({
  id: uuid,
  /** Null shows the account's name. */
  displayName: personName.nullable().optional(),
  /** As written before the name: "Dr", "Prof". */
  title: text().trim().min(1).max(40).nullable().optional(),
  specialty: clinicianSpecialty.nullable().optional(),
  /** The whole list, most fluent first; [] clears it. */
  languages: z
    .array(languageTag)
    .max(20)
    .refine((tags) => new Set(tags.map((t) => t.toLowerCase())).size === tags.length, 'must not name a language twice')
    .optional(),
  registration: clinicianRegistration.nullable().optional(),
  bio: text().trim().min(1).max(2000).nullable().optional(),
  acceptsNewPatients: z.boolean().optional(),
  /** A work number for colleagues (never shown to patients). */
  phone: phone.nullable().optional(),
  photoFileId: photoFileIdInput.optional(),
});
export type UpdateClinicianProfileInput = z.infer<typeof updateClinicianProfileInput>;

/* Outputs */
export const clinicianPublicOutput = z.object({
  id: z.string().describe("The clinician's user id: what appointments and care teams name"),
  displayName: z.string(),
  title: z.string().nullable(),
  specialty: z.object({ name: z.string(), code: z.object({ system: z.string(), code: z.string() }).optional() }).nullable(),
  languages: z.array(z.string()).describe('BCP 47 language tags'),
  registration: z.object({ system: z.string(), value: z.string(), issuer: z.string().optional() }).nullable(),
  bio: z.string().nullable(),
  acceptsNewPatients: z.boolean(),
  photo: photoOutput,
});
export type ClinicianPublicOutput = z.infer<typeof clinicianPublicOutput>;

export const clinicianColleagueOutput = clinicianPublicOutput.extend({
  role: z.enum(['admin', 'clinician']),
  contact: z.object({ email: z.string(), phone: z.string().nullable() }),
});
export type ClinicianColleagueOutput = z.infer<typeof clinicianColleagueOutput>;

/** Staff see a colleague's entry (with role and contact details); a patient the public one. */
export const clinicianOutput = z.union([clinicianColleagueOutput, clinicianPublicOutput]);
export type ClinicianOutput = z.infer<typeof clinicianOutput>;

export const clinicianPageOutput = pageOutput(clinicianOutput);

/** The clinicians on a patient's care team, as the portal shows them (`portal.careTeam`): public entries only. */
export const portalCareTeamOutput = z.array(clinicianPublicOutput);
