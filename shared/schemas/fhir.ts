import { z } from 'zod';
import { isoDateTime, pageOutput, text } from './common.ts';

/** The FHIR R4 resource types PAMS exports, in the order a bulk export writes them. */
export const fhirResourceTypes = [
  'Patient',
  'RelatedPerson',
  'AllergyIntolerance',
  'MedicationStatement',
  'Condition',
  'Observation',
  'Questionnaire',
  'QuestionnaireResponse',
  'Appointment',
  'CarePlan',
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
export const exportFhirOutput = pageOutput(fhirResourceOutput);
