import { z } from 'zod';
import { instantOutput, isoDateTime, pageOutput, text } from './common.ts';

/** The FHIR R4 resource types PAMS exports, in the order a bulk export writes them. */
export const fhirResourceTypes = [
  'Patient',
  'RelatedPerson',
  'Practitioner',
  'PractitionerRole',
  'AllergyIntolerance',
  'MedicationStatement',
  'Condition',
  'Observation',
  'Questionnaire',
  'QuestionnaireResponse',
  'Appointment',
  'CarePlan',
  'MedicationRequest',
  'Task',
  'DocumentReference',
  'Organization',
  'ChargeItem',
  'Invoice',
  'PaymentReconciliation',
] as const;
export type FhirResourceType = (typeof fhirResourceTypes)[number];

/** One page of a bulk export of one resource type (FHIR Bulk Data: one NDJSON file per type). */
export const exportFhirInput = z.object({
  type: z.enum(fhirResourceTypes),
  /** Only resources created or changed at or after this instant (Bulk Data `_since`). */
  since: isoDateTime.optional(),
  cursor: text().max(200).optional(),
  limit: z.number().int().min(1).max(1000).default(500),
});
export type ExportFhirInput = z.infer<typeof exportFhirInput>;

/*
 * Outputs. A FHIR resource's full shape is FHIR's own (R4, hundreds of types and fields), checked against
 * FHIR's definitions in the tests, not restated here: this names what every exported resource has and
 * keeps the rest of it as it is (a loose object strips nothing).
 */
export const fhirResourceOutput = z.looseObject({ resourceType: z.string(), id: z.string() });
export type FhirResourceOutput = z.infer<typeof fhirResourceOutput>;

/** Patient/$everything: the patient (search mode `match`) and everything recorded about them (`include`). */
export const fhirBundleOutput = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.literal('searchset'),
  timestamp: instantOutput,
  total: z.number(),
  link: z.array(z.object({ relation: z.string(), url: z.string() })),
  entry: z.array(z.object({ fullUrl: z.string(), resource: fhirResourceOutput, search: z.object({ mode: z.enum(['match', 'include']) }) })),
});
export type FhirBundleOutput = z.infer<typeof fhirBundleOutput>;

export const exportFhirOutput = pageOutput(fhirResourceOutput);
